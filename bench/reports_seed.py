"""Seeding the reports read models directly with N synthetic cases (two years of a district).

Each case is a `CaseFact`; its additive contribution is the reports service's own `measures(fact)` and
the rows it counts in are its own `bucket_keys(fact, org)`. Facts sharing a day, grid, category and unit
count in exactly the same rows, so contributions are summed per such leaf first and each leaf is expanded
to its rows once: the same rows `rollup_delta` would build case by case, in a fraction of the time.
The facts table is not filled: the summary and breakdown answer from the rollups alone.
"""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from contracts.categories import CATEGORIES
from reports.adapters.org_file import load_org
from reports.adapters.sqlite_repository import KEY_COLUMNS, PATH_COLUMNS, SqliteReportsRepository
from reports.domain.facts import CaseFact
from reports.domain.org import OrgIndex
from reports.domain.rollups import MEASURES, BucketKey, bucket_keys, civil_day, measures

START = datetime(2025, 1, 1, tzinfo=UTC)
DAYS = 730


def synthetic_fact(i: int, rng: random.Random, grids: list[str]) -> CaseFact:
    """One routed case with a realistic fate: most answered within the hour, most resolved within a day."""
    grid, cat = rng.choice(grids), rng.choice(CATEGORIES)
    created = START + timedelta(seconds=rng.randrange(DAYS * 86400))
    fate = rng.random()
    responded = created + timedelta(minutes=rng.expovariate(1 / 40)) if fate > 0.05 else None
    resolved = created + timedelta(hours=rng.expovariate(1 / 20)) if fate > 0.2 else None
    status = "closed" if resolved and fate > 0.3 else "resolved" if resolved else "accepted" if responded else "routed"
    return CaseFact(
        case_id=f"c{i}", request_ids=(f"r{i}",), grid_id=grid, community_id="?", class_code=cat.class_code,
        sub_category=cat.code, unit_id=f"u-{grid}", created_at=created, routed_at=created, status=status,
        status_at=created, first_response_at=responded, resolved_at=resolved,
        response_due=created + timedelta(minutes=60), resolution_due=created + timedelta(days=2),
        response_breached=responded is None and fate < 0.04, resolution_breached=resolved is None and fate < 0.1,
        satisfied=(rng.random() < 0.9) if status == "closed" else None)


def _placed(fact: CaseFact, org: OrgIndex) -> CaseFact:
    path = org.path(district=None, street=None, community=None, compound=None, grid=fact.grid_id)
    return replace(fact, district_id=path["district"], street_id=path["street"], community_id=path["community"],
                   compound_id=path["compound"])


def build_rows(n: int, org: OrgIndex, *, seed: int = 1) -> dict[BucketKey, np.ndarray]:
    """Rollup rows of n synthetic cases: key → measure totals in the order of MEASURES."""
    rng = random.Random(seed)
    grids = sorted(node for node, level in org.levels.items() if level == "grid")
    leaves: dict[tuple[str, ...], tuple[CaseFact, Counter[str]]] = {}
    for i in range(n):
        fact = synthetic_fact(i, rng, grids)
        assert fact.created_at is not None
        leaf = (civil_day(fact.created_at), str(fact.grid_id), str(fact.sub_category))
        found = leaves.get(leaf)
        if found is None:
            found = leaves[leaf] = (_placed(fact, org), Counter())
        found[1].update(measures(fact))
    index = {name: i for i, name in enumerate(MEASURES)}
    rows: dict[BucketKey, np.ndarray] = {}
    for fact, total in leaves.values():
        vector = np.zeros(len(MEASURES), dtype=np.int64)
        for name, value in total.items():
            vector[index[name]] = value
        for key in bucket_keys(fact, org):
            row = rows.get(key)
            if row is None:
                rows[key] = vector.copy()
            else:
                row += vector
    return rows


async def write_sqlite(path: Path, rows: dict[BucketKey, np.ndarray]) -> None:
    """The repository creates its schema; the rows then go in with one bulk insert, sorted by key.

    The file is not open anywhere else yet, so the insert runs without syncing (a crash only loses the seed).
    """
    repo = SqliteReportsRepository(path)
    await repo.ensure_indexes()
    await repo.close()
    cols = [*KEY_COLUMNS, *PATH_COLUMNS, *MEASURES]
    sql = f"INSERT INTO rollups({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"
    values = sorted([getattr(k, c) for c in (*KEY_COLUMNS, *PATH_COLUMNS)] + m.tolist() for k, m in rows.items())
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA synchronous=OFF")
        db.execute("BEGIN")
        db.executemany(sql, values)
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()


async def write_mongo(url: str, db_name: str, rows: dict[BucketKey, np.ndarray]) -> None:
    """Insert the rows into a reports MongoDB database in the adapter's document shape."""
    from pymongo import AsyncMongoClient

    from reports.adapters.mongo_repository import MongoReportsRepository

    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url)
    try:
        db = client[db_name]
        await MongoReportsRepository(db).ensure_indexes()
        docs = [{"_id": key.id, **{c: getattr(key, c) for c in (*KEY_COLUMNS, *PATH_COLUMNS)},
                 "m": {k: v for k, v in zip(MEASURES, m.tolist(), strict=True) if v}, "applied": []}
                for key, m in rows.items()]
        for start in range(0, len(docs), 10_000):
            await db["rollups"].insert_many(docs[start:start + 10_000], ordered=False)
    finally:
        await client.close()


def org_index(path: Path) -> OrgIndex:
    """The organisation the reports service will load."""
    return load_org(path)
