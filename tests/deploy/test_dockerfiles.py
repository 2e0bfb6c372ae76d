"""Each service's Dockerfile: pinned slim base, locked dependencies, non-root, health check, runner's command."""

from __future__ import annotations

import json
import re

import pytest
from deploy_support import PORTS, REPO, SERVICES, runner_commands


def instructions(name: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    text = (REPO / "services" / name / "Dockerfile").read_text(encoding="utf-8")
    text = re.sub(r"\\\n\s*", " ", "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")))
    out = []
    for line in text.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def args_of(steps: list[tuple[str, str]], keyword: str) -> list[str]:
    return [rest for kw, rest in steps if kw == keyword]


@pytest.mark.parametrize("name", SERVICES)
def test_the_image_starts_the_same_command_as_the_local_runner(name):
    steps = instructions(name)
    (cmd,) = args_of(steps, "CMD")
    assert json.loads(cmd) == runner_commands()[name] == ["python", "-m", name]
    assert not args_of(steps, "ENTRYPOINT")


@pytest.mark.parametrize("name", SERVICES)
def test_the_base_is_the_pinned_slim_python_and_the_user_is_not_root(name):
    steps = instructions(name)
    (arg,) = [a for a in args_of(steps, "ARG") if a.startswith("BASE_IMAGE=")]
    assert arg == "BASE_IMAGE=python:3.11-slim-bookworm"
    assert args_of(steps, "FROM") == ["${BASE_IMAGE}"]
    users = args_of(steps, "USER")
    assert users and re.fullmatch(r"[1-9]\d*:[1-9]\d*", users[-1]), users
    assert [kw for kw, _ in steps].index("USER") > max(i for i, (kw, _) in enumerate(steps) if kw == "RUN")


@pytest.mark.parametrize("name", SERVICES)
def test_installs_the_lock_then_the_workspace_packages_without_dependencies(name):
    steps = instructions(name)
    runs = args_of(steps, "RUN")
    lock = next(i for i, r in enumerate(runs) if "-r /app/requirements.lock" in r)
    nodeps = next(i for i, r in enumerate(runs) if "--no-deps" in r)
    assert lock < nodeps
    for package in ("/app/libs/contracts", "/app/libs/servicekit", f"/app/services/{name}"):
        assert package in runs[nodeps]
    others = [s for s in SERVICES if s != name]
    assert not any(f"services/{other}" in rest for _, rest in steps for other in others)
    for kw, rest in steps:
        if kw == "COPY":
            source = rest.split()[0]
            assert (REPO / source).exists(), f"{name}: COPY of missing {source}"
            assert "/tests" not in source


@pytest.mark.parametrize("name", SERVICES)
def test_health_check_calls_healthz_on_the_service_port(name):
    steps = instructions(name)
    (check,) = args_of(steps, "HEALTHCHECK")
    assert "/healthz" in check and f"'{PORTS[name]}'" in check
    env = " ".join(args_of(steps, "ENV"))
    assert f"{name.upper()}_HOST=0.0.0.0" in env and f"{name.upper()}_PORT={PORTS[name]}" in env
    assert args_of(steps, "EXPOSE") == [str(PORTS[name])]
