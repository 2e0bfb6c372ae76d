"""Timers: firing rate and lag with 100,000 and 1,000,000 open timers, one notifier and two.

The store is seeded directly (bench.timers_seed). Then the notifier process(es) start on it and, while
they run, the benchmark adds (through the notifier's repository) a burst of timers that are already
due — `timers_fired_per_s` is how fast they are claimed and fired — and then timers falling due at a
steady rate — `timer_lag_p99_ms` is fired_at − due_at. Open timers that are not due must not slow either
down, nor grow the notifier's memory (`rss_mb`).
"""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.cache import REPO, seeded_copy
from bench.platform import (
    BENCH_ENV,
    RABBITMQ_URL,
    Platform,
    delete_prefix,
    drop_mongo,
    free_port,
    listed_queues,
    mongo_env,
    new_prefix,
)
from bench.procfs import Watch
from bench.stats import summary_ms
from bench.timers_seed import bulk_insert, filler, lags, save_due
from notifier.adapters.store import Store, open_store

SIZES, QUICK_SIZES = (100_000, 1_000_000), (10_000, 100_000)
SEED_SOURCES = [REPO / "bench" / "timers_seed.py",
                *(REPO / "services" / "notifier" / "src" / "notifier" / "adapters").glob("sqlite*.py"),
                REPO / "services" / "notifier" / "src" / "notifier" / "adapters" / "documents.py",
                REPO / "libs" / "servicekit" / "src" / "servicekit" / "storage" / "sqlite_outbox.py"]
BURST, STEADY_RATE, STEADY_S = 3_000, 100, 10.0


async def _open(data_dir: Path, prefix: str) -> Store:
    db = mongo_env(prefix).get("NOTIFIER_MONGODB_DB", "whistle_notifier")
    return await open_store(mongodb_url=os.environ.get("MONGODB_URL"), mongodb_db=db,
                            sqlite_path=data_dir / "notifier.sqlite3")


async def _seed(data_dir: Path, prefix: str, n: int) -> None:
    store = await _open(data_dir, prefix)
    try:
        await bulk_insert(store, filler(n, datetime.now(UTC), tag=f"open-{n}"))
    finally:
        await store.close()


def seed(data_dir: Path, prefix: str, n: int) -> dict[str, Any]:
    """Store n not-due timers (SQLite: from the seed cache when the seeding code has not changed)."""
    started = time.monotonic()
    if os.environ.get("MONGODB_URL"):
        asyncio.run(_seed(data_dir, prefix, n))
        cached = False
    else:

        def build(fresh: Path) -> None:
            asyncio.run(_seed(fresh.parent, prefix, n))
            (fresh.parent / "notifier.sqlite3").replace(fresh)

        month = datetime.now(UTC).strftime("%Y-%m")  # the filler is due 35+ days after seeding
        cached = seeded_copy(f"timers-{n}", SEED_SOURCES, (n, month), build, data_dir / "notifier.sqlite3")
    return {"seconds": round(time.monotonic() - started, 1), "cached": cached}


async def _wait_fired(store: Store, timeout: float) -> bool:
    """True once no scheduled timer is due any more (the earliest due one lies in the future)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        earliest = await store.timers.next_due_at()
        if earliest is None or earliest > datetime.now(UTC):
            return True
        await asyncio.sleep(0.25)
    return False


async def drive(data_dir: Path, prefix: str, tag: str, burst: int) -> dict[str, Any]:
    """The burst, then the steady stream; figures from the fired timers' own timestamps."""
    store = await _open(data_dir, prefix)
    try:
        now = datetime.now(UTC)
        burst_ids = await save_due(store, [now - timedelta(seconds=1)] * burst, tag=f"{tag}-burst")
        burst_done = await _wait_fired(store, timeout=120)
        _, fired = await lags(store, burst_ids)
        span = (max(fired) - min(fired)).total_seconds() if len(fired) > 1 else None
        start = datetime.now(UTC) + timedelta(seconds=2)
        dues = [start + timedelta(seconds=i / STEADY_RATE) for i in range(int(STEADY_RATE * STEADY_S))]
        steady_ids = await save_due(store, dues, tag=f"{tag}-steady")
        await asyncio.sleep(max((dues[-1] - datetime.now(UTC)).total_seconds(), 0) + 1)
        steady_done = await _wait_fired(store, timeout=60)
        late, _ = await lags(store, steady_ids)
    finally:
        await store.close()
    figures = summary_ms(late)
    return {"timers_fired_per_s": round(len(fired) / span) if span else None, "burst": burst,
            "burst_fired": len(fired), "burst_complete": burst_done, "steady_rate": STEADY_RATE,
            "steady_fired": len(late), "steady_complete": steady_done, "timer_lag_p50_ms": figures["p50_ms"],
            "timer_lag_p99_ms": figures["p99_ms"], "timer_lag_max_ms": figures["max_ms"]}


def measure(data_dir: Path, prefix: str, open_n: int, schedulers: int, burst: int) -> dict[str, Any]:
    """Start `schedulers` notifier processes on the store and drive them."""
    env = {**BENCH_ENV, "WHISTLE_AMQP_PREFIX": prefix, "RABBITMQ_URL": RABBITMQ_URL, **mongo_env(prefix)}
    replicas = [Platform(data_dir=data_dir, env=env, echo=False, ports={"notifier": free_port()})
                for _ in range(schedulers)]
    try:
        for replica in replicas:
            replica.start(("notifier",))
        for replica in replicas:
            replica.wait_ready(timeout=120, services=("notifier",))
        pids = {f"notifier-{i}": r.procs["notifier"].pid for i, r in enumerate(replicas)}
        with Watch(pids) as watch:
            found = asyncio.run(drive(data_dir, prefix, f"due-{open_n}-{schedulers}", burst))
    finally:
        for replica in replicas:
            replica.stop()
        asyncio.run(delete_prefix(prefix, extra=tuple(listed_queues(prefix))))
    return {"open_timers": open_n, "schedulers": schedulers, **found,
            "rss_mb": round(max(watch.peak_mb.values()), 1),
            "cpu_s": {name: round(cpu, 2) for name, cpu in watch.cpu_used.items()}}


def run(ctx: Any) -> dict[str, Any]:
    """Both sizes, one scheduler then two on the same store."""
    runs, seeding = [], {}
    burst = 1_000 if ctx.quick else BURST
    for n in QUICK_SIZES if ctx.quick else SIZES:
        if ctx.left() < 150:
            ctx.notes.append(f"timers: {n:,} open timers skipped, the budget ran out")
            break
        data_dir, prefix = ctx.workdir / f"timers-{n}", new_prefix("timers")
        seeding[n] = seed(data_dir, prefix, n)
        for schedulers in (1, 2):
            print(f"  {n:,} open timers, {schedulers} scheduler(s)", flush=True)
            runs.append(measure(data_dir, prefix, n, schedulers, burst))
        asyncio.run(drop_mongo(prefix))
    return {"timers": {"runs": runs, "seed_s": seeding},
            "rss_mb": {"notifier_timers": {f"{r['open_timers']}x{r['schedulers']}": r["rss_mb"] for r in runs}}}
