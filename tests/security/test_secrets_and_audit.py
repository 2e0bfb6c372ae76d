"""Outside dev mode every service refuses to start without its secrets and names the one missing; staff
actions land in each service's append-only audit log, which operators query within their subtree."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sec_client import client, fresh_case
from sec_platform import ORG_FILE, Platform, create

from servicekit.auth.envsecrets import MissingSecret
from servicekit.auth.keys import dev_key_setting, new_key_setting
from servicekit.auth.roles import Role

KEY = Fernet.generate_key().decode()
JWKS = {"jwks_url": "http://127.0.0.1:9/jwks.json"}
INTAKE = {"contact_key": KEY, "storage_key": KEY, "qr_keys": "k:secret", "open311_api_keys": "o", **JWKS}
ROUTER = {"contact_key": KEY, "jwt_signing_keys": new_key_setting("k"), "api_key_pepper": "p" * 32}


@pytest.mark.parametrize(("service", "settings", "named"), [
    ("intake", {**INTAKE, "contact_key": None}, "WHISTLE_CONTACT_KEY"),
    ("intake", {**INTAKE, "storage_key": None}, "INTAKE_STORAGE_KEY"),
    ("intake", {**INTAKE, "qr_keys": "dev:whistle-dev-qr-secret-not-safe"}, "INTAKE_QR_KEYS"),
    ("intake", {**INTAKE, "open311_api_keys": "dev-open311-key"}, "INTAKE_OPEN311_API_KEYS"),
    ("intake", {**INTAKE, "staff_tokens": "t:name"}, "INTAKE_STAFF_TOKENS"),
    ("intake", {**INTAKE, "jwks_url": None}, "INTAKE_JWKS_URL"),
    ("router", {**ROUTER, "jwt_signing_keys": dev_key_setting()}, "ROUTER_JWT_SIGNING_KEYS"),
    ("router", {**ROUTER, "api_key_pepper": None}, "ROUTER_API_KEY_PEPPER"),
    ("router", {**ROUTER, "contact_key": None}, "WHISTLE_CONTACT_KEY"),
    ("notifier", {**JWKS}, "NOTIFIER_WEBHOOK_SECRET"),
    ("notifier", {"webhook_secret": "s" * 32}, "NOTIFIER_JWKS_URL"),
    ("reports", {}, "REPORTS_JWKS_URL"),
])
def test_outside_dev_mode_a_missing_or_public_secret_stops_the_start_and_is_named(
        tmp_path: Path, service: str, settings: dict, named: str) -> None:
    kinds = {"intake": "intake.config:IntakeSettings", "router": "router.config:RouterSettings",
             "notifier": "notifier.config:NotifierSettings", "reports": "reports.config:ReportsSettings"}
    module, name = kinds[service].split(":")
    cls = getattr(__import__(module, fromlist=[name]), name)
    values = {"dev_mode": False, "data_dir": tmp_path, "org_file": ORG_FILE, **settings}
    with pytest.raises(MissingSecret, match=named):
        create(service, cls(**values))


def test_each_service_process_exits_naming_its_first_missing_secret() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WHISTLE_", "INTAKE_", "ROUTER_", "NOTIFIER_",
                                                                    "REPORTS_"))}
    env.update(WHISTLE_DEV_MODE="false", WHISTLE_DATA_DIR="/nonexistent/whistle-security-test")
    runs = {s: subprocess.Popen([sys.executable, "-m", s], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for s in ("intake", "router", "notifier", "reports")}
    for service, run in runs.items():
        _, err = run.communicate(timeout=120)
        assert run.returncode == 2, (service, err[-500:])
        assert (any(word in err for word in ("KEY", "SECRET", "JWKS")) and "not set" in err) or "public" in err, err


def test_staff_actions_are_audited_and_operators_read_them_within_their_subtree(platform: Platform) -> None:
    case = fresh_case(platform, "6号楼路灯坏了好几天", "6")
    with client(platform, "router", Role.GRID_WORKER, "g-jh-jh-hy-2", unit="u-g-jh-jh-hy-2") as worker:
        assert worker.post(f"/v1/cases/{case['case_id']}/accept", json={"actor_id": "u-g-jh-jh-hy-2"},
                           headers={"User-Agent": "security-test"}).status_code == 200
    with client(platform, "router", Role.DISTRICT_OPERATOR, "qc") as operator:
        entries = operator.get("/v1/audit", params={"resource": case["case_id"]}).json()["entries"]
    with client(platform, "router", Role.STREET_STAFF, "qc-sl") as street:
        assert street.get("/v1/audit").status_code == 403  # street staff are not operators
    accepted = next(e for e in entries if e["action"] == "accept")
    assert accepted["actor"].startswith("sec-grid_worker") and accepted["role"] == "grid_worker"
    assert accepted["ip"] == "127.0.0.1" and accepted["status"] == 200 and accepted["user_agent"] == "security-test"
    assert accepted["place"] == "/qc/qc-jh/qc-jh-jh/qc-jh-jh-hy/g-jh-jh-hy-2/"
    audit_file = platform.settings["router"].data_dir / "router-audit.sqlite3"  # type: ignore[attr-defined]
    with sqlite3.connect(audit_file) as raw:
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute("DELETE FROM audit_log")


def test_reading_a_resident_s_contact_is_audited_in_intake(platform: Platform, targets) -> None:  # type: ignore[no-untyped-def]
    with client(platform, "intake", Role.COMMUNITY_STAFF, "qc-jh-jh") as staff:
        assert staff.get(f"/v1/staff/requests/{targets.request_id}").status_code == 200
    with client(platform, "intake", Role.PLATFORM_ADMIN) as admin:
        entries = admin.get("/v1/audit", params={"resource": targets.request_id}).json()["entries"]
    assert any(e["action"] == "get_staff_request" and e["role"] == "community_staff" for e in entries)
