"""`make bench`: run the scenarios within the time budget, write bench/results/latest.json, print the table."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aio_pika

from bench.machine import machine, store_name, versions
from bench.platform import RABBITMQ_URL
from bench.procfs import busy_cores, loadavg, pid_listening_on
from bench.table import print_table

RESULTS = Path(__file__).resolve().parent / "results"
SCENARIOS = ("hello", "classify", "intake", "e2e", "timers", "reports")
BUDGET_S = 12.5 * 60.0  # make's own steps and the last scenario's overrun stay inside 15 minutes


@dataclass
class Context:
    """What every scenario gets: a scratch directory, the store, the broker process, the time left."""

    workdir: Path
    store: str
    broker_pid: int | None
    end: float
    broker_port: int = 5672
    quick: bool = False
    notes: list[str] = field(default_factory=list)

    def left(self) -> float:
        """Seconds left in the whole run's budget."""
        return self.end - time.monotonic()

    def deadline(self, seconds: float) -> float:
        """A monotonic deadline `seconds` from now, never past the run's own end."""
        return min(time.monotonic() + seconds, self.end)


async def broker_version(url: str) -> str | None:
    """The RabbitMQ version the broker announces."""
    connection = await aio_pika.connect(url)
    async with connection:
        props = connection.transport.connection.server_properties  # type: ignore[union-attr]
        raw = props.get("version")
        return raw.decode() if isinstance(raw, bytes) else raw


def run_scenario(name: str, ctx: Context) -> dict[str, Any]:
    """Run one scenario; a failure is recorded, not raised, so the other figures still get written."""
    import importlib

    module = importlib.import_module(f"bench.scenarios.{name}")
    print(f"\n== {name} (load {loadavg()[0]}, {ctx.left():.0f}s of budget left)", flush=True)
    ctx.broker_pid = pid_listening_on(ctx.broker_port) or ctx.broker_pid  # the broker may have been restarted
    before = {"loadavg_before": loadavg()[0], "busy_cores_before": busy_cores(0.5)}
    started = time.monotonic()
    try:
        found = module.run(ctx)
    except Exception as exc:
        traceback.print_exc()
        found = {f"{name}_error": f"{type(exc).__name__}: {exc}"}
    found.setdefault("scenarios", {})[name] = {**before, "seconds": round(time.monotonic() - started, 1)}
    return found


def merge(into: dict[str, Any], found: dict[str, Any]) -> None:
    """Add a scenario's keys; dictionaries found in several scenarios (rss_mb, scenarios) are merged."""
    for key, value in found.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            into[key].update(value)
        else:
            into[key] = value


def main() -> int:
    """Parse arguments, run, write, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", choices=SCENARIOS, help="run only these scenarios")
    parser.add_argument("--quick", action="store_true", help="smaller sizes and shorter runs (a smoke run)")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args()
    started = time.monotonic()
    port = urlsplit(RABBITMQ_URL).port or 5672
    result: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"), "store": store_name(),
        "machine": machine(), "versions": versions(asyncio.run(broker_version(RABBITMQ_URL))),
        "loadavg_at_start": loadavg(), "quick": args.quick,
    }
    workdir = Path(tempfile.mkdtemp(prefix="whistle-bench-"))
    ctx = Context(workdir=workdir, store=result["store"], broker_pid=pid_listening_on(port),
                  end=started + BUDGET_S, broker_port=port, quick=args.quick)
    try:
        for name in args.only or SCENARIOS:
            if ctx.left() < 20:
                ctx.notes.append(f"{name}: skipped, the 15-minute budget ran out")
                continue
            merge(result, run_scenario(name, ctx))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    result["notes"] = ctx.notes
    result["total_s"] = round(time.monotonic() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_table(result)
    print(f"\nwritten to {args.out} in {result['total_s']}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
