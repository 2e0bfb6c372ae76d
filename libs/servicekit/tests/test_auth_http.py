"""FastAPI dependencies, the audit middleware and GET /v1/audit on a small app; both audit stores."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI, Request

from servicekit.auth import OPERATORS, STAFF, Principal, Role
from servicekit.auth.apikeys import DEV_PEPPER, ApiKeyRing
from servicekit.auth.audit import AuditEntry, AuditQuery
from servicekit.auth.audit_http import audit_router, install_audit
from servicekit.auth.audit_stores import MongoAuditLog, SqliteAuditLog
from servicekit.auth.deps import authorize_place, optional_principal, require
from servicekit.auth.keys import dev_signing_key
from servicekit.auth.orgindex import OrgIndex
from servicekit.auth.setup import build_authenticator, install_auth
from servicekit.auth.tokens import TokenIssuer
from servicekit.settings import ServiceSettings

ORG = OrgIndex.from_file(Path(__file__).resolve().parents[3] / "deploy" / "demo" / "org.yaml")
CASE_PLACE = ("qc", "qc-jh", "qc-jh-jh", "qc-jh-jh-hy", "g-jh-jh-hy-1")


def token(role: Role, node: str | None = None, dept: str | None = None) -> dict[str, str]:
    principal = Principal(f"user-{role}", role, scope=ORG.scope_for(role, node), dept_code=dept)
    issued = TokenIssuer(dev_signing_key()).issue(principal, now=datetime.now(UTC), ttl=timedelta(minutes=5))
    return {"Authorization": f"Bearer {issued}"}


def make_app(audit_log, *, dev_anonymous: bool = False) -> FastAPI:
    app = FastAPI()
    settings = ServiceSettings(dev_mode=True, dev_anonymous=dev_anonymous)
    install_auth(app, build_authenticator(settings, service="test", org=ORG,
                                          api_keys=ApiKeyRing({"huanwei": "k-hw"}, pepper=DEV_PEPPER, allow_clear=True)))
    install_audit(app, service="test", log_of=lambda _app: audit_log, audited_reads={"read_case"})
    app.include_router(audit_router(lambda _app: audit_log))

    @app.get("/cases/{case_id}")
    async def read_case(case_id: str, request: Request, who: Annotated[Principal, Depends(require(*STAFF))]) -> dict:
        authorize_place(request, who, CASE_PLACE, what=f"case {case_id}")
        return {"case_id": case_id}

    @app.post("/cases/{case_id}/close")
    async def close_case(case_id: str, request: Request,
                         who: Annotated[Principal, Depends(require(*OPERATORS))]) -> dict:
        authorize_place(request, who, CASE_PLACE)
        return {"closed": case_id}

    @app.get("/dept")
    async def dept(who: Annotated[Principal, Depends(require(Role.DEPARTMENT_SYSTEM))]) -> dict:
        return {"dept": who.dept_code}

    @app.get("/maybe")
    async def maybe(who: Annotated[Principal | None, Depends(optional_principal)]) -> dict:
        return {"who": who.subject if who else None}

    return app


@pytest.fixture
async def sqlite_log(tmp_path: Path):
    log = await SqliteAuditLog.open(tmp_path / "test-audit.sqlite3")
    yield log
    await log.close()


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=("10.1.2.3", 5555)), base_url="http://t")


async def test_roles_and_scope_decide_and_every_refusal_and_write_is_audited(sqlite_log) -> None:
    async with client(make_app(sqlite_log)) as c:
        assert (await c.get("/cases/c1")).status_code == 401
        assert (await c.get("/cases/c1", headers={"Authorization": "Bearer nonsense"})).status_code == 401
        assert (await c.get("/cases/c1", headers={"Authorization": "Basic dXNlcjpwdw=="})).status_code == 401
        assert (await c.get("/cases/c1", headers=token(Role.GRID_WORKER, "g-jh-jh-hy-1"))).status_code == 200
        assert (await c.get("/cases/c1", headers=token(Role.GRID_WORKER, "g-jh-jh-hy-2"))).status_code == 403
        assert (await c.get("/cases/c1", headers=token(Role.DEPARTMENT_SYSTEM, dept="huanwei"))).status_code == 403
        assert (await c.post("/cases/c1/close", headers=token(Role.STREET_STAFF, "qc-jh"))).status_code == 403
        assert (await c.post("/cases/c1/close", headers=token(Role.DISTRICT_OPERATOR, "qc"))).status_code == 200
        assert (await c.get("/dept", headers={"X-API-Key": "k-hw"})).json() == {"dept": "huanwei"}
        assert (await c.get("/dept", headers={"X-API-Key": "k-other"})).status_code == 401
        assert (await c.get("/maybe")).json() == {"who": None}
        listed = (await c.get("/v1/audit", headers=token(Role.DISTRICT_OPERATOR, "qc"))).json()["entries"]
        street = (await c.get("/v1/audit", headers=token(Role.PLATFORM_ADMIN))).json()["entries"]
        refused = await c.get("/v1/audit", headers=token(Role.STREET_STAFF, "qc-jh"))
    assert refused.status_code == 403
    assert [(e["action"], e["role"], e["status"]) for e in listed] == [
        ("close_case", "district_operator", 200), ("close_case", "street_staff", 403),
        ("read_case", "grid_worker", 403), ("read_case", "grid_worker", 200)]
    assert all(e["ip"] == "10.1.2.3" and e["resource"] == "c1" for e in listed)
    assert listed[0]["place"] == "/qc/qc-jh/qc-jh-jh/qc-jh-jh-hy/g-jh-jh-hy-1/"
    assert len(street) == 5  # the admin also sees the department's refusal (outside every subtree)


async def test_in_dev_mode_a_call_without_credentials_acts_as_the_dev_district_operator(sqlite_log) -> None:
    async with client(make_app(sqlite_log, dev_anonymous=True)) as c:
        assert (await c.post("/cases/c1/close")).status_code == 200
        assert (await c.get("/maybe")).json() == {"who": None}  # optional callers stay anonymous
        assert (await c.get("/cases/c1", headers={"Authorization": "Bearer forged"})).status_code == 401
    entries = await sqlite_log.query(AuditQuery())
    assert entries[0].actor == "dev-anonymous" and entries[0].via == "dev"


async def test_the_sqlite_audit_log_refuses_updates_and_deletes(sqlite_log, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    entry = AuditEntry.of(Principal("a", Role.STREET_STAFF, scope=("qc", "qc-jh")), place=None, at=now,
                          service="t", action="x", method="POST", path="/x", status=200, ip="1.1.1.1")
    await sqlite_log.append(entry)
    with sqlite3.connect(tmp_path / "test-audit.sqlite3") as raw:
        for statement in ("UPDATE audit_log SET actor = 'b'", "DELETE FROM audit_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                raw.execute(statement)
    found = await sqlite_log.query(AuditQuery(within="/qc/qc-jh/", since=now - timedelta(seconds=1)))
    assert [e.entry_id for e in found] == [entry.entry_id]
    assert await sqlite_log.query(AuditQuery(within="/qc/qc-sl/")) == []


async def test_the_mongodb_audit_log_answers_the_same_queries() -> None:
    from pymongo_async_mock import AsyncMongoMockClient

    log = MongoAuditLog(AsyncMongoMockClient(tz_aware=True)["audit_test"])
    await log.ensure_indexes()
    now = datetime.now(UTC)
    for n, scope in enumerate((("qc", "qc-jh"), ("qc", "qc-sl"))):
        await log.append(AuditEntry.of(Principal(f"a{n}", Role.STREET_STAFF, scope=scope), place=None, at=now,
                                       service="t", action="x", method="POST", path="/x", status=200, ip="ip",
                                       resource="c1"))
    assert [e.actor for e in await log.query(AuditQuery(within="/qc/qc-sl/", resource="c1"))] == ["a1"]
    assert len(await log.query(AuditQuery(within="/"))) == 2
    assert await log.query(AuditQuery(within="/qc/", actor={"$ne": ""})) == []  # type: ignore[arg-type]


async def test_a_write_cancelled_while_beginning_leaves_no_transaction_open(tmp_path: Path) -> None:
    import asyncio

    log = await SqliteAuditLog.open(tmp_path / "cancelled-audit.sqlite3")
    entry = AuditEntry.of(Principal("a", Role.PLATFORM_ADMIN), place=None, at=datetime.now(UTC), service="t",
                          action="x", method="POST", path="/x", status=200, ip="ip")
    task = asyncio.create_task(log.append(entry))
    await asyncio.sleep(0)  # the task now waits for BEGIN IMMEDIATE, which aiosqlite's thread still runs
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    second = AuditEntry.of(Principal("b", Role.PLATFORM_ADMIN), place=None, at=datetime.now(UTC), service="t",
                           action="y", method="POST", path="/y", status=200, ip="ip")
    # Before the fix: "cannot start a transaction within a transaction" (or a hang), hence the time limit.
    await asyncio.wait_for(log.append(second), timeout=10)
    found = await asyncio.wait_for(log.query(AuditQuery()), timeout=10)
    assert [e.actor for e in found] == ["b"]
    await asyncio.wait_for(log.close(), timeout=10)


async def test_validation_errors_have_the_documented_shape_and_never_echo_the_input() -> None:
    from pydantic import BaseModel

    from servicekit.http import install_validation_errors

    class Body(BaseModel):
        password: str
        count: int

    app = FastAPI()
    install_validation_errors(app)

    @app.post("/x")
    async def x(body: Body) -> dict:
        return {}

    async with client(app) as c:
        nan = await c.post("/x", content=b"NaN", headers={"Content-Type": "application/json"})
        secret = await c.post("/x", json={"password": 12345678, "count": "many"})
    assert nan.status_code == secret.status_code == 422
    assert all(set(d) == {"loc", "msg", "type"} for d in secret.json()["detail"])
    assert "12345678" not in secret.text and "many" not in secret.text
