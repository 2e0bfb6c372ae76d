"""A router SQLite file written before the building column gains it, filled from each case's place."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

from router.adapters.documents import case_to_doc
from router.adapters.sqlite_repository import SqliteCaseRepository
from servicekit.storage.sqlite import SqliteDatabase

from .test_repository_contract import NOW, make_case

OLD_CASES = """CREATE TABLE cases (
    case_id TEXT PRIMARY KEY, community_id TEXT NOT NULL, compound_id TEXT, status TEXT NOT NULL,
    needs_triage INTEGER NOT NULL, triaged INTEGER NOT NULL DEFAULT 0, submitted_at TEXT NOT NULL,
    version INTEGER NOT NULL, doc TEXT NOT NULL)"""


def write_old_file(path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(OLD_CASES)
    conn.execute("CREATE INDEX cases_compound ON cases(compound_id, submitted_at)")
    for case in (make_case("C1", building="5", minutes_ago=20), make_case("C2", building="7", minutes_ago=10),
                 make_case("C3", minutes_ago=5)):
        conn.execute("INSERT INTO cases VALUES (?, ?, ?, ?, 0, 0, ?, 0, ?)",
                     (case.case_id, case.community_id, case.compound_id, case.status, case.submitted_at.isoformat(),
                      json.dumps(case_to_doc(case), ensure_ascii=False)))
    conn.commit()
    conn.close()


async def test_an_old_file_gets_the_building_column_backfilled_and_the_new_index(tmp_path):
    path = tmp_path / "router.sqlite3"
    write_old_file(path)
    db = SqliteDatabase(path)
    await db.open()
    repo = SqliteCaseRepository(db)
    await repo.ensure_indexes()
    await repo.ensure_indexes()  # a second start finds the column and changes nothing
    found = await repo.open_in_compound("p1", NOW - timedelta(hours=1), building="5")
    assert [(c.case_id, c.building) for c in found] == [("C3", None), ("C1", "5")]
    rows = await db.fetch_all("SELECT case_id, building FROM cases ORDER BY case_id")
    assert [(r[0], r[1]) for r in rows] == [("C1", "5"), ("C2", "7"), ("C3", None)]
    indexes = {r[0] for r in await db.fetch_all("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"cases_compound_building", "cases_compound"} <= indexes
    await repo.close()
