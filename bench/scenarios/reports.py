"""Reports: /v1/reports/summary and /v1/reports/breakdown?by=community over 100,000 and 1,000,000 cases.

The read models are seeded directly (bench.reports_seed), then the reports service starts on them and
each endpoint is asked 15 times over HTTP from this process, one request at a time; the median
and the slowest are kept. Flat figures from 100k to 1M show that the queries read rollup rows of the
period asked for, not cases.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import statistics
import time
from typing import Any

import httpx

from bench.cache import REPO, seeded_copy
from bench.payloads import ORG_FILE
from bench.platform import mongo_env, new_prefix, platform
from bench.procfs import Watch
from bench.reports_seed import build_rows, org_index, write_mongo, write_sqlite

SIZES, QUICK_SIZES = (100_000, 1_000_000), (10_000, 100_000)
REPORTS_SRC = REPO / "services" / "reports" / "src" / "reports"
SEED_SOURCES = [REPO / "bench" / "reports_seed.py", ORG_FILE, REPORTS_SRC / "adapters" / "sqlite_repository.py",
                *(REPORTS_SRC / "domain").glob("*.py"),
                REPO / "libs" / "contracts" / "src" / "contracts" / "categories.py"]
REPEAT = 15
QUERIES = {"summary_ms": "/v1/reports/summary", "breakdown_ms": "/v1/reports/breakdown?by=community",
           "summary_year_ms": "/v1/reports/summary?from=2025-03-01&to=2026-02-28",
           "breakdown_street_range_ms": "/v1/reports/breakdown?by=community&street=qc-jh&from=2025-06-10&to=2025-09-20"}


def seed(n: int, data_dir: Any, prefix: str) -> dict[str, Any]:
    """Build and store the rollup rows of n cases; returns the row count and the seconds taken."""
    started = time.monotonic()
    rows = build_rows(n, org_index(ORG_FILE))
    built = time.monotonic() - started
    url = os.environ.get("MONGODB_URL")
    if url:
        asyncio.run(write_mongo(url, mongo_env(prefix)["REPORTS_MONGODB_DB"], rows))
    else:
        data_dir.mkdir(parents=True, exist_ok=True)
        asyncio.run(write_sqlite(data_dir / "reports.sqlite3", rows))
    return {"rollup_rows": len(rows), "build_s": round(built, 1), "seed_s": round(time.monotonic() - started, 1)}


def seed_cached(n: int, data_dir: Any, prefix: str) -> dict[str, Any]:
    """SQLite: the seeded file from the cache when the code deciding its rows has not changed."""
    if os.environ.get("MONGODB_URL"):
        return {**seed(n, data_dir, prefix), "cached": False}
    found: dict[str, Any] = {}

    def build(fresh: Any) -> None:
        found.update(seed(n, fresh.parent, prefix))
        (fresh.parent / "reports.sqlite3").replace(fresh)

    started = time.monotonic()
    target = data_dir / "reports.sqlite3"
    hit = seeded_copy(f"reports-{n}", SEED_SOURCES, (n,), build, target)
    with sqlite3.connect(f"file:{target}?mode=ro", uri=True) as db:
        rows = db.execute("SELECT COUNT(*) FROM rollups").fetchone()[0]
    return {**found, "rollup_rows": rows, "cached": hit, "seed_s": round(time.monotonic() - started, 1)}


def timed(client: httpx.Client, path: str) -> dict[str, Any]:
    """Median and slowest of REPEAT sequential requests (after one warm-up)."""
    first = client.get(path)
    first.raise_for_status()
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        client.get(path).raise_for_status()
        times.append(time.perf_counter() - started)
    return {"median": round(statistics.median(times) * 1000, 1), "max": round(max(times) * 1000, 1)}


def measure(n: int, ctx: Any) -> dict[str, Any]:
    """Seed, start reports on the seeded store, time the queries, check the total."""
    data_dir, prefix = ctx.workdir / f"reports-{n}", new_prefix("reports")
    seeded = seed_cached(n, data_dir, prefix)
    with platform("reports", data_dir, ("reports",), prefix=prefix) as running, \
            httpx.Client(base_url=running.url("reports"), timeout=60) as client:
        total = client.get("/v1/reports/summary").json()["totals"]["cases"]
        with Watch({"reports": running.procs["reports"].pid}) as watch:
            found = {key: timed(client, path) for key, path in QUERIES.items()}
    return {"cases": n, "cases_reported": total, **seeded,
            **{key: value["median"] for key, value in found.items()},
            "slowest_ms": {key: value["max"] for key, value in found.items()},
            "rss_mb": round(watch.peak_mb["reports"], 1)}


def run(ctx: Any) -> dict[str, Any]:
    """Both sizes."""
    runs = []
    for n in QUICK_SIZES if ctx.quick else SIZES:
        if ctx.left() < (60 if n <= 100_000 else 200):
            ctx.notes.append(f"reports: {n:,} cases skipped, the budget ran out")
            break
        print(f"  {n:,} cases", flush=True)
        runs.append(measure(n, ctx))
    last = runs[-1] if runs else {}
    return {"report_summary_ms": last.get("summary_ms"), "report_breakdown_ms": last.get("breakdown_ms"),
            "reports": {"runs": runs, "repeat": REPEAT, "queries": QUERIES}}
