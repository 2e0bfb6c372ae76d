"""Benchmark: /v1/reports/summary's queries over the rollups of N synthetic cases (SQLite).

Run: .venv/bin/python services/reports/bench/summary_bench.py --cases 1000000
Synthetic facts (two years, the demo district's grids, every category, realistic fates) are turned into
rollup rows with the same code the service uses (`rollup_delta`), written in bulk, and then the summary,
a breakdown and a monthly trend are timed. Facts themselves are not stored: these endpoints never read them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

from contracts.categories import CATEGORIES
from reports.adapters.org_file import load_org
from reports.adapters.sqlite_repository import KEY_COLUMNS, PATH_COLUMNS, SqliteReportsRepository
from reports.domain.facts import CaseFact
from reports.domain.rollups import MEASURES, BucketKey, rollup_delta
from reports.queries import Scope, breakdown, summary, trend

ROOT = Path(__file__).resolve().parents[3]
START = datetime(2025, 1, 1, tzinfo=UTC)


def synthetic_fact(i: int, rng: random.Random, grids: list[tuple[str, str, str]]) -> CaseFact:
    community, compound, grid = rng.choice(grids)
    cat = rng.choice(CATEGORIES)
    created = START + timedelta(minutes=rng.randrange(0, 730 * 24 * 60))
    fate = rng.random()
    responded = created + timedelta(minutes=rng.expovariate(1 / 40)) if fate > 0.05 else None
    resolved = created + timedelta(hours=rng.expovariate(1 / 20)) if fate > 0.2 else None
    status = "closed" if resolved and fate > 0.3 else "resolved" if resolved else "accepted" if responded else "routed"
    return CaseFact(
        case_id=f"c{i}", request_ids=(f"r{i}",), community_id=community, compound_id=compound, grid_id=grid,
        class_code=cat.class_code, sub_category=cat.code, unit_id=f"u-{grid}", created_at=created,
        routed_at=created, status=status, status_at=created, first_response_at=responded, resolved_at=resolved,
        response_due=created + timedelta(minutes=60), resolution_due=created + timedelta(days=2),
        response_breached=responded is None and fate < 0.04, resolution_breached=resolved is None and fate < 0.1,
        satisfied=(rng.random() < 0.9) if status == "closed" else None)


def build_rows(n: int, org) -> dict[BucketKey, Counter]:
    rng = random.Random(1)
    grids = [(org.parents[org.parents[g]], org.parents[g], g) for g, lv in org.levels.items() if lv == "grid"]
    rows: dict[BucketKey, Counter] = {}
    for i in range(n):
        for key, inc in rollup_delta(None, synthetic_fact(i, rng, grids), org).items():
            rows.setdefault(key, Counter()).update(inc)
        if i and i % 100_000 == 0:
            print(f"  {i} cases → {len(rows)} rollup rows", file=sys.stderr)
    return rows


async def write_rows(repo: SqliteReportsRepository, rows: dict[BucketKey, Counter]) -> None:
    cols = [*KEY_COLUMNS, *PATH_COLUMNS, *MEASURES]
    sql = f"INSERT INTO rollups({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    values = [[getattr(k, c) for c in (*KEY_COLUMNS, *PATH_COLUMNS)] + [m.get(x, 0) for x in MEASURES]
              for k, m in rows.items()]
    async with repo.db.transaction() as conn:
        await conn.executemany(sql, values)


async def timed(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def main(n: int, repeat: int) -> dict:
    org = load_org(ROOT / "deploy" / "demo" / "org.yaml")
    started = time.perf_counter()
    rows = build_rows(n, org)
    with TemporaryDirectory() as tmp:
        repo = SqliteReportsRepository(Path(tmp) / "bench.sqlite3")
        await repo.ensure_indexes()
        await write_rows(repo, rows)
        build_s = time.perf_counter() - started
        result = await summary(repo, org, Scope())
        assert result["totals"]["cases"] == n, result["totals"]
        figures = {
            "cases": n, "rollup_rows": len(rows), "build_s": round(build_s, 1), "store": "sqlite",
            "summary_district_s": await timed(lambda: summary(repo, org, Scope()), repeat),
            "summary_street_s": await timed(lambda: summary(repo, org, Scope(nodes={"street": "qc-jh"})), repeat),
            "breakdown_community_s": await timed(lambda: breakdown(repo, org, Scope(), "community"), repeat),
            "trend_month_s": await timed(lambda: trend(repo, Scope(), "month"), repeat),
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        await repo.close()
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "reports_summary.json")
    args = parser.parse_args()
    out = asyncio.run(main(args.cases, args.repeat))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, ensure_ascii=False, indent=2))
