"""The compose files validate against the Compose Specification and start what the local runner starts."""

from __future__ import annotations

import json
import re
from copy import deepcopy
from typing import Any

import jsonschema_rs
import pytest
from deploy_support import DEPLOY, PORTS, REPO, SERVICES, load_yaml, runner_commands

COMPOSE = DEPLOY / "compose"
SCHEMA = json.loads((REPO / "tests" / "deploy" / "schemas" / "compose-spec.json").read_text(encoding="utf-8"))
_VAR = re.compile(r"\$\{(\w+)(?:(:?[?-])([^}]*))?\}|\$(\w+)")


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR:?error}; $$ stays a literal $."""
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def one(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(4)
        op, arg = match.group(2), match.group(3)
        if name in env and (env[name] or not (op or "").startswith(":")):
            return env[name]
        if op and op.endswith("?"):
            raise KeyError(f"required variable {name} is not set: {arg}")
        return arg if op and op.endswith("-") else ""

    parts = value.split("$$")
    return "$".join(_VAR.sub(one, part) for part in parts)


def merge(base: Any, override: Any) -> Any:
    """Compose's merge of an override file: mappings deep-merge, sequences append, scalars replace."""
    if isinstance(base, dict) and isinstance(override, dict):
        out = deepcopy(base)
        for key, value in override.items():
            out[key] = merge(out[key], value) if key in out else deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(override, list):
        return base + [v for v in override if v not in base]
    return deepcopy(override)


def required_variables(text: str) -> set[str]:
    """Every variable the file requires with ${VAR:?...}."""
    return {m.group(1) for m in re.finditer(r"\$\{(\w+):\?", text)}


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return load_yaml(COMPOSE / "compose.yaml")


@pytest.fixture(scope="module")
def secrets() -> dict[str, str]:
    names = required_variables((COMPOSE / "compose.yaml").read_text(encoding="utf-8"))
    return {name: f"test-{name.lower()}" for name in names}


def schema_errors(document: dict[str, Any]) -> list[str]:
    validator = jsonschema_rs.validator_for(SCHEMA)
    return [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_the_compose_file_is_valid_against_the_compose_specification(raw, secrets):
    assert schema_errors(interpolate(raw, secrets)) == []


def test_the_dev_override_merged_over_the_base_is_still_valid(raw, secrets):
    merged = merge(raw, load_yaml(COMPOSE / "compose.dev.yaml"))
    assert schema_errors(interpolate(merged, secrets)) == []
    for name in SERVICES:
        assert f"127.0.0.1:{PORTS[name]}:{PORTS[name]}" in merged["services"][name]["ports"]


def test_the_schema_check_itself_rejects_a_broken_file(raw, secrets):
    broken = interpolate(deepcopy(raw), secrets)
    broken["services"]["intake"]["depends_on"]["mongodb"]["condition"] = "service_ready"
    broken["services"]["router"]["healthcheck"]["retries"] = "many"
    assert len(schema_errors(broken)) >= 2


def test_every_required_secret_fails_loudly_when_missing_and_is_listed_in_env_example(raw, secrets):
    expected = {"RABBITMQ_PASSWORD", "MONGO_ROOT_PASSWORD", "MONGO_APP_PASSWORD", "MONGO_REPLICA_KEY",
                "WHISTLE_CONTACT_KEY", "INTAKE_STORAGE_KEY", "INTAKE_QR_KEYS", "ROUTER_ADMIN_API_KEY",
                "ROUTER_JWT_SIGNING_KEYS", "ROUTER_API_KEY_PEPPER",
                "NOTIFIER_WEBHOOK_SECRET", "GRAFANA_ADMIN_PASSWORD"}
    assert expected <= set(secrets)
    example = (COMPOSE / ".env.example").read_text(encoding="utf-8")
    for name in secrets:
        assert re.search(rf"^{name}=", example, re.M), f"{name} missing from .env.example"
        partial = {k: v for k, v in secrets.items() if k != name}
        with pytest.raises(KeyError, match=name):
            interpolate(raw, partial)


def test_no_secret_value_is_written_in_the_compose_files(raw):
    dev = load_yaml(COMPOSE / "compose.dev.yaml")
    for document in (raw, dev):
        for name, service in document["services"].items():
            for key, value in (service.get("environment") or {}).items():
                if re.search(r"PASS|SECRET|_KEY|TOKENS", key):
                    assert re.fullmatch(r"\$\{\w+(:\?[^}]*|:-)\}", str(value)), f"{name}.{key} is not a variable"
                if re.search(r"://[^/@]*:[^/@]*@", str(value)):
                    assert re.search(r"://\w+:\$\{\w+:\?", str(value)), f"{name}.{key} embeds a literal password"


def test_each_service_runs_the_same_command_as_the_local_runner(raw):
    commands = runner_commands()
    assert set(commands) == set(SERVICES)
    for name in SERVICES:
        service = raw["services"][name]
        assert service["command"] == commands[name] == ["python", "-m", name]
        assert service["build"]["dockerfile"] == f"services/{name}/Dockerfile"
        assert (COMPOSE / service["build"]["context"]).resolve() == REPO


def test_services_start_after_healthy_mongodb_and_rabbitmq_and_report_readiness(raw):
    services = raw["services"]
    for name in SERVICES:
        service = services[name]
        assert service["depends_on"]["mongodb"]["condition"] == "service_healthy"
        assert service["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
        assert f"127.0.0.1:{PORTS[name]}/readyz" in " ".join(service["healthcheck"]["test"])
        env = service["environment"]
        assert env[f"{name.upper()}_HOST"] == "0.0.0.0"
        assert env[f"{name.upper()}_MONGODB_DB"] == f"whistle_{name}"
        assert "replicaSet=rs0" in env["MONGODB_URL"] and env["RABBITMQ_URL"].startswith("amqp://")
        assert env[f"{name.upper()}_ORG_FILE"] == "/etc/whistle/org.yaml"
        assert any(v.endswith(":/etc/whistle/org.yaml:ro") for v in service["volumes"])
    for infra in ("mongodb", "rabbitmq", "prometheus", "grafana"):
        assert services[infra]["healthcheck"]["test"], infra
    assert services["grafana"]["depends_on"]["prometheus"]["condition"] == "service_healthy"


def test_mongodb_runs_as_a_replica_set_that_its_health_check_initiates(raw):
    mongo = raw["services"]["mongodb"]
    assert "--replSet rs0" in " ".join(mongo["entrypoint"])
    check = " ".join(mongo["healthcheck"]["test"])
    assert "rs.initiate" in check and "rs0" in check and "mongodb:27017" in check


def test_rabbitmq_has_the_management_and_prometheus_plugins(raw):
    plugins = (COMPOSE / "rabbitmq" / "enabled_plugins").read_text(encoding="utf-8")
    assert re.fullmatch(r"\[rabbitmq_management,rabbitmq_prometheus\]\.\s*", plugins)
    conf = (COMPOSE / "rabbitmq" / "20-whistle.conf").read_text(encoding="utf-8")
    assert "prometheus.return_per_object_metrics = true" in conf
    assert raw["services"]["rabbitmq"]["image"].endswith("-management")


def test_images_are_pinned_and_mounted_files_exist(raw, secrets):
    for name, service in interpolate(raw, secrets)["services"].items():
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), name
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (COMPOSE / source).exists(), f"{name} mounts a missing {source}"


def test_published_ports_bind_to_loopback_only():
    dev = load_yaml(COMPOSE / "compose.dev.yaml")
    ports = [p for service in dev["services"].values() for p in service.get("ports", [])]
    assert ports and all(p.startswith("127.0.0.1:") for p in ports)
    base = load_yaml(COMPOSE / "compose.yaml")["services"]
    assert [name for name, service in base.items() if "ports" in service] == []
