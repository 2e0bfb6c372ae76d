"""The machine and software a run measured: cores, memory, CPU model, versions, store and broker."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

PACKAGES = ("fastapi", "uvicorn", "uvloop", "httptools", "pydantic", "faststream", "aio-pika", "aiosqlite",
            "pymongo", "scikit-learn", "jieba")


def _meminfo_mb(key: str) -> int:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) // 1024
    return 0


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _package(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _command(args: list[str]) -> str | None:
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else None


def machine() -> dict[str, Any]:
    """Cores (online and usable by this process), memory, CPU model, kernel."""
    return {
        "cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)),
        "memory_mb": _meminfo_mb("MemTotal"), "memory_available_mb": _meminfo_mb("MemAvailable"),
        "cpu_model": _cpu_model(), "kernel": platform.release(), "os": _os_name(),
    }


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.system()


def versions(broker_version: str | None) -> dict[str, Any]:
    """Python, SQLite, the Python packages on the hot paths, RabbitMQ, wrk."""
    found: dict[str, Any] = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                             "rabbitmq": broker_version, "wrk": _command(["wrk", "--version"])}
    found.update({name: _package(name) for name in PACKAGES})
    return found


def store_name() -> str:
    """Which store the services use in this run (they choose by MONGODB_URL)."""
    return "mongodb" if os.environ.get("MONGODB_URL") else "sqlite"
