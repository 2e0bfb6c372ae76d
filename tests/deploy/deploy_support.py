"""Shared helpers of the deploy tests: paths, YAML loading, the local runner's command, tool lookup."""

from __future__ import annotations

import ast
import os
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
SERVICES = ("intake", "router", "notifier", "reports")
PORTS = {"intake": 8000, "router": 8001, "notifier": 8002, "reports": 8003}
LOCAL_RUNNER = DEPLOY / "local" / "processes.py"


def load_yaml(path: Path) -> Any:
    """One YAML document, read as UTF-8."""
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load_yaml_all(text: str) -> list[Any]:
    """Every non-empty document of a multi-document YAML stream."""
    return [doc for doc in yaml.safe_load_all(text) if doc]


def runner_commands() -> dict[str, list[str]]:
    """What `make run` starts per service, read from the local runner's source: `python -m <name>`.

    The runner calls Popen([sys.executable, "-m", name]); the containers run the same module with the image's
    `python`, so the expected argv is ["python", "-m", name] for each service the runner lists.
    """
    tree = ast.parse(LOCAL_RUNNER.read_text(encoding="utf-8"))
    services: tuple[str, ...] = ()
    argv_shape: list[str] | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "SERVICES" for t in node.targets):
            services = tuple(ast.literal_eval(node.value))
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "Popen" and node.args:
            first = node.args[0]
            if isinstance(first, ast.List):
                argv_shape = [_argv_part(e) for e in first.elts]
    if not services or argv_shape is None:
        raise AssertionError(f"could not find SERVICES and the Popen argv in {LOCAL_RUNNER}")
    return {name: [part.replace("{name}", name) for part in argv_shape] for name in services}


def _argv_part(node: ast.expr) -> str:
    """Render one element of the runner's argv list: sys.executable → python, a name → {name}."""
    if isinstance(node, ast.Attribute) and node.attr == "executable":
        return "python"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return "{name}"
    return ast.unparse(node)


def tool(name: str) -> str | None:
    """Path of a command-line tool, or None (WHISTLE_NO_<NAME>=1 hides it, to exercise the fallbacks)."""
    if os.environ.get(f"WHISTLE_NO_{name.upper()}"):
        return None
    return shutil.which(name)


_METRIC_CALL = re.compile(r"\b(Counter|Gauge|Histogram|Summary)\(\s*\"([a-zA-Z_:][a-zA-Z0-9_:]*)\"")


def exposed_metrics() -> dict[str, set[str]]:
    """Series names each service exposes, read from services/<name>/src/<name>/metrics.py.

    prometheus_client appends `_total` to counters and `_bucket`/`_sum`/`_count` to histograms.
    """
    out: dict[str, set[str]] = {}
    for name in SERVICES:
        path = REPO / "services" / name / "src" / name / "metrics.py"
        if not path.exists():
            continue
        names: set[str] = set()
        for kind, metric in _METRIC_CALL.findall(path.read_text(encoding="utf-8")):
            names |= _series(kind, metric)
        out[name] = names
    return out


def _series(kind: str, metric: str) -> set[str]:
    if kind == "Counter":
        base = metric.removesuffix("_total")
        return {f"{base}_total", f"{base}_created"}
    if kind == "Histogram":
        return {metric, f"{metric}_bucket", f"{metric}_sum", f"{metric}_count"}
    if kind == "Summary":
        return {metric, f"{metric}_sum", f"{metric}_count"}
    return {metric}
