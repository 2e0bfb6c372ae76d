"""The department side of the end-to-end run: the consumer process, its progress, the drain, the latencies."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.drive import REPO
from bench.platform import RABBITMQ_URL
from bench.queues import service_backlog

STALL_S = 10.0


def start_consumer(prefix: str, out: Path) -> subprocess.Popen[bytes]:
    """The department system process; returns once its queues are declared and consumed."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.dept_consumer", "--url", RABBITMQ_URL,
                             "--prefix", prefix, "--out", str(out)], cwd=REPO)
    end = time.monotonic() + 30
    while not Path(f"{out}.ready").exists():
        if proc.poll() is not None or time.monotonic() > end:
            raise RuntimeError("the department consumer did not start")
        time.sleep(0.1)
    return proc


def progress(out: Path) -> int:
    """Whistles the consumer has received so far."""
    try:
        return int(Path(f"{out}.progress").read_text() or 0)
    except (OSError, ValueError):
        return 0


def drain(out: Path, prefix: str, expected: int, *, cap_s: float) -> tuple[float, bool]:
    """Wait until every whistle is in and the services' queues are empty, or nothing has arrived for
    STALL_S with the queues empty (the rest is lost), or the cap; returns (seconds, queues empty)."""
    started = time.monotonic()
    last, last_change = progress(out), started
    while time.monotonic() - started < cap_s:
        time.sleep(0.5)
        seen = progress(out)
        if seen != last:
            last, last_change = seen, time.monotonic()
            continue
        if (seen >= expected or time.monotonic() - last_change > STALL_S) and service_backlog(prefix) == 0:
            return round(time.monotonic() - started, 1), True
    return round(time.monotonic() - started, 1), service_backlog(prefix) == 0


def stop_consumer(proc: subprocess.Popen[bytes], out: Path) -> list[list[Any]]:
    """SIGTERM the consumer and read what it received."""
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    return list(json.loads(out.read_text(encoding="utf-8"))["received"])


def latencies(records: list[list[Any]], received: list[list[Any]]) -> tuple[list[float], int, int]:
    """(seconds from scheduled POST to first whistle, accepted, lost) over the measured requests."""
    first: dict[str, float] = {}
    for code, _dept, at in received:
        if code and (code not in first or at < first[code]):
            first[code] = at
    accepted = [(scheduled, code) for scheduled, status, code in records if status == 201 and code]
    found = [first[code] - scheduled for scheduled, code in accepted if code in first]
    return found, len(accepted), len(accepted) - len(found)
