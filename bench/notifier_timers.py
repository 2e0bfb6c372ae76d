"""Benchmark (not a test): SLA timers fired per second by one notifier replica, and by two sharing one store.

Seeds N routed cases (6 timers each) into a SQLite store, jumps the clock past every deadline, then lets
1 and then 2 replica *processes* drain the same store (each claim is a leased conditional update, each
fire a transaction with its outbox event). Prints and writes bench/results/notifier_timers.json.

    .venv/bin/python -m bench.notifier_timers [--cases 2000] [--batch 200]      (from the repository root)

`measure(cases=…, batch=…, workdir=…)` returns the same figures for the `make bench` harness.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing as mp
import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from contracts.envelope import new_event
from contracts.events.cases import CaseRouted
from contracts.events.common import CategoryRef, Place, UnitRef
from notifier.adapters.clock import ManualClock
from notifier.adapters.store import open_sqlite
from notifier.bootstrap import load_rules
from notifier.config import NotifierSettings
from notifier.entrypoints.scheduler import TimerScheduler
from notifier.handlers import Deps, handle_case_event
from notifier.metrics import NotifierMetrics

START = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)
SUBS = [("dispute", "leak"), ("dispute", "noise"), ("safety", "fire"), ("livelihood", "sanitation")]


def routed(i: int):
    cls, sub = SUBS[i % len(SUBS)]
    at = START + timedelta(seconds=i)
    data = CaseRouted(case_id=f"b{i}", request_ids=[f"r{i}"], place=Place(community_id="qc-jh-jh"),
                      category=CategoryRef(class_code=cls, sub_category=sub), classified_by="rule", tier=1 + i % 4,
                      units=[UnitRef(unit_id="u1", kind="grid_worker", name="网格员")], sla_policy="x",
                      submitted_at=at, routed_at=at)
    return new_event(data, source="/bench", subject=f"b{i}", now=at)


async def seed(path: Path, cases: int) -> int:
    store = await open_sqlite(path)
    deps = Deps(timers=store.timers, rules=load_rules(NotifierSettings()), clock=ManualClock(START),
                metrics=NotifierMetrics())
    for i in range(cases):
        await handle_case_event(deps, routed(i))
    total = await store.timers.count_timers("scheduled")
    await store.close()
    return total


async def drain(path: Path, owner: str, batch: int) -> int:
    store = await open_sqlite(path)
    deps = Deps(timers=store.timers, rules=load_rules(NotifierSettings()),
                clock=ManualClock(START + timedelta(days=400)), metrics=NotifierMetrics())
    scheduler = TimerScheduler(deps, owner=owner, batch=batch, log=logging.getLogger("bench"))
    while (await scheduler.tick())[0]:
        pass
    await store.close()
    return scheduler.fired


def replica(path: str, owner: str, batch: int, go: float, out: mp.Queue) -> None:
    time.sleep(max(go - time.time(), 0))
    out.put((owner, asyncio.run(drain(Path(path), owner, batch)), time.time()))


def run(path: Path, replicas: int, batch: int) -> dict[str, object]:
    out: mp.Queue = mp.Queue()
    go = time.time() + 2.0  # every process imports first, then all start together
    procs = [mp.Process(target=replica, args=(str(path), f"r{i}", batch, go, out)) for i in range(replicas)]
    for p in procs:
        p.start()
    results = [out.get() for _ in procs]
    for p in procs:
        p.join()
    seconds = max(r[2] for r in results) - go
    fired = sum(r[1] for r in results)
    fired_rows = sqlite3.connect(path).execute("SELECT COUNT(*) FROM timers WHERE status = 'fired'").fetchone()[0]
    return {"replicas": replicas, "fired": fired, "seconds": round(seconds, 2),
            "timers_per_s": round(fired / seconds, 1), "per_replica": {r[0]: r[1] for r in results},
            "fired_in_store": fired_rows}


def measure(*, cases: int, batch: int, workdir: Path) -> dict[str, object]:
    """Seed once, then drain copies of the store with 1 and with 2 replica processes."""
    seeded = workdir / "seed.sqlite3"
    total = asyncio.run(seed(seeded, cases))
    sqlite3.connect(seeded).execute("PRAGMA wal_checkpoint(TRUNCATE)").close()
    runs = []
    for replicas in (1, 2):
        copy = workdir / f"run{replicas}.sqlite3"
        shutil.copy(seeded, copy)
        result = run(copy, replicas, batch)
        # the replicas' own counts add up to the timers: no timer was completed twice
        assert result["fired"] == result["fired_in_store"] == total, result
        runs.append(result)
    return {"store": "sqlite", "cases": cases, "timers": total, "batch": batch, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = measure(cases=args.cases, batch=args.batch, workdir=Path(tmp))
    for result in figures["runs"]:  # type: ignore[attr-defined]
        print(json.dumps(result, ensure_ascii=False))
    target = Path(__file__).resolve().parent / "results" / "notifier_timers.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"written to {target}")


if __name__ == "__main__":
    main()
