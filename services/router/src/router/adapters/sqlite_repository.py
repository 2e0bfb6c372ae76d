"""Cases in the router's SQLite file: state, processed event ids and outbox in one transaction."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from contracts.envelope import Envelope
from router.adapters.documents import case_from_doc, case_to_doc
from router.adapters.repository import ConcurrentUpdate
from router.domain.case import OPEN_STATUSES, Case
from router.domain.duplicates import MAX_CANDIDATES, Candidate
from servicekit.storage.sqlite import SqliteDatabase
from servicekit.storage.sqlite_outbox import OUTBOX_SCHEMA, SqliteOutbox, add_to_outbox_sync

TABLES = (
    *OUTBOX_SCHEMA,
    """CREATE TABLE IF NOT EXISTS cases (
        case_id TEXT PRIMARY KEY, community_id TEXT NOT NULL, compound_id TEXT, status TEXT NOT NULL,
        needs_triage INTEGER NOT NULL, triaged INTEGER NOT NULL DEFAULT 0, submitted_at TEXT NOT NULL,
        version INTEGER NOT NULL, doc TEXT NOT NULL, building TEXT)""",
    "CREATE TABLE IF NOT EXISTS case_requests (request_id TEXT PRIMARY KEY, case_id TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS processed_events (event_id TEXT PRIMARY KEY, case_id TEXT)",
)
INDEXES = (
    "CREATE INDEX IF NOT EXISTS cases_community ON cases(community_id, status, submitted_at)",
    # Duplicate candidates: by compound and building; by compound and time for a request naming no building.
    "CREATE INDEX IF NOT EXISTS cases_compound_building ON cases(compound_id, building, submitted_at)",
    "CREATE INDEX IF NOT EXISTS cases_compound ON cases(compound_id, submitted_at)",
    "CREATE INDEX IF NOT EXISTS cases_triage ON cases(needs_triage, submitted_at)",
)
_PROCESSED = "INSERT OR IGNORE INTO processed_events VALUES (?, ?)"
_INSERT_CASE = ("INSERT OR IGNORE INTO cases(community_id, compound_id, status, needs_triage, triaged, submitted_at,"
                " doc, building, case_id, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")
_UPDATE_CASE = ("UPDATE cases SET community_id=?, compound_id=?, status=?, needs_triage=?, triaged=?, submitted_at=?,"
                " doc=?, building=?, version=? WHERE case_id=? AND version=?")
_CANDIDATE_COLUMNS = "case_id, compound_id, building, status, submitted_at, json_extract(doc, '$.text') AS text"


def _building(case: Case) -> str | None:
    return str(case.place.get("building") or "") or None


def _row(case: Case) -> tuple[Any, ...]:
    return (case.community_id, case.compound_id, case.status, int(case.needs_triage),
            int(case.triage_decision is not None), case.submitted_at.isoformat(),
            json.dumps(case_to_doc(case), ensure_ascii=False), _building(case))


class SqliteCaseRepository:
    """The SQLite adapter of CaseRepository."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        self.outbox = SqliteOutbox(db)

    async def ensure_indexes(self) -> None:
        """Apply the schema (tables and indexes), adding the building column to files made before it."""
        for statement in TABLES:
            await self._db.conn.execute(statement)
        async with self._db.transaction() as conn:
            async with conn.execute("PRAGMA table_info(cases)") as cursor:
                columns = {row[1] for row in await cursor.fetchall()}
            if "building" not in columns:
                await conn.execute("ALTER TABLE cases ADD COLUMN building TEXT")
                await conn.execute("UPDATE cases SET building = NULLIF(json_extract(doc, '$.place.building'), '')")
        for statement in INDEXES:
            await self._db.conn.execute(statement)

    async def create(self, case: Case, *, events: list[Envelope], event_id: str) -> bool:
        """Insert the case, its request ids, the event id and the outbox rows in one transaction."""
        row, requests = (*_row(case), case.case_id), [(r, case.case_id) for r in case.request_ids]

        def work(conn: sqlite3.Connection) -> bool:
            if conn.execute(_PROCESSED, (event_id, case.case_id)).rowcount == 0:
                return False
            if conn.execute(_INSERT_CASE, row).rowcount == 0:
                raise ConcurrentUpdate(f"case {case.case_id} already exists")
            conn.executemany("INSERT OR IGNORE INTO case_requests VALUES (?, ?)", requests)
            add_to_outbox_sync(conn, events)
            return True

        return await self._db.write(work)

    async def update(self, case: Case, *, events: list[Envelope], event_id: str | None) -> bool:
        """Conditional on the version read; records the event id so a replay does nothing."""
        expected = case.version
        case.version = expected + 1  # the stored document carries the version it is stored under
        try:
            row = (*_row(case), case.version, case.case_id, expected)
        finally:
            case.version = expected
        requests = [(r, case.case_id) for r in case.request_ids]

        def work(conn: sqlite3.Connection) -> bool:
            if event_id is not None and conn.execute(_PROCESSED, (event_id, case.case_id)).rowcount == 0:
                return False
            if conn.execute(_UPDATE_CASE, row).rowcount == 0:
                raise ConcurrentUpdate(f"case {case.case_id} changed since it was read")
            conn.executemany("INSERT OR IGNORE INTO case_requests VALUES (?, ?)", requests)
            add_to_outbox_sync(conn, events)
            return True

        if not await self._db.write(work):
            return False
        case.version = expected + 1
        return True

    async def _load(self, where: str, params: tuple[Any, ...]) -> list[Case]:
        rows = await self._db.fetch_all(f"SELECT doc, version FROM cases {where}", params)
        cases = []
        for row in rows:
            case = case_from_doc(json.loads(row["doc"]))
            case.version = int(row["version"])
            cases.append(case)
        return cases

    async def get(self, case_id: str) -> Case | None:
        """One case by id."""
        found = await self._load("WHERE case_id = ?", (case_id,))
        return found[0] if found else None

    async def find_by_request(self, request_id: str) -> Case | None:
        """The case a request belongs to."""
        found = await self._load(
            "WHERE case_id = (SELECT case_id FROM case_requests WHERE request_id = ?)", (request_id,))
        return found[0] if found else None

    async def list_cases(self, *, community_id: str | None = None, status: str | None = None,
                         unit_id: str | None = None, dept_code: str | None = None,
                         needs_triage: bool | None = None, limit: int = 50,
                         community_ids: Sequence[str] | None = None) -> list[Case]:
        """Filters combined with AND, newest first."""
        clauses: list[str] = ["1=1"]
        params: list[Any] = []
        for column, value in (("community_id", community_id), ("status", status)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if community_ids is not None:
            clauses.append(f"community_id IN ({','.join('?' * len(community_ids)) or 'NULL'})")
            params.extend(community_ids)
        if needs_triage is not None:
            clauses.append("needs_triage = ?")
            params.append(int(needs_triage))
        if unit_id is not None:
            clauses.append(
                "EXISTS (SELECT 1 FROM json_each(doc, '$.units') WHERE json_extract(value, '$.unit_id') = ?)")
            params.append(unit_id)
        if dept_code is not None:
            clauses.append("EXISTS (SELECT 1 FROM json_each(doc, '$.departments') WHERE value = ?)")
            params.append(dept_code)
        where = "WHERE " + " AND ".join(clauses) + " ORDER BY submitted_at DESC LIMIT ?"
        return await self._load(where, (*params, limit))

    async def open_in_compound(self, compound_id: str, since: datetime, *, building: str | None = None,
                               limit: int = MAX_CANDIDATES) -> list[Candidate]:
        """Open cases of the compound (and building) since `since`: indexed columns and the text only."""
        marks = ",".join("?" * len(OPEN_STATUSES))
        where = f"compound_id = ? AND submitted_at >= ? AND status IN ({marks})"
        params: list[Any] = [compound_id, since.isoformat(), *OPEN_STATUSES]
        if building:
            where += " AND (building = ? OR building IS NULL)"
            params.append(str(building))
        sql = f"SELECT {_CANDIDATE_COLUMNS} FROM cases WHERE {where} ORDER BY submitted_at DESC LIMIT ?"
        rows = await self._db.fetch_all(sql, (*params, limit), inline=True)  # indexed, at most `limit` rows
        return [Candidate(r["case_id"], r["compound_id"], r["building"], r["text"] or "", r["status"],
                          datetime.fromisoformat(r["submitted_at"])) for r in rows]

    async def triage_decisions(self, limit: int = 1000) -> list[Case]:
        """Cases a person classified by hand."""
        return await self._load("WHERE triaged = 1 ORDER BY submitted_at DESC LIMIT ?", (limit,))

    async def request_known(self, *, event_id: str, request_id: str) -> bool:
        """Both primary keys in one query, without reading the case."""
        row = await self._db.fetch_one(
            "SELECT EXISTS(SELECT 1 FROM processed_events WHERE event_id = ?)"
            " OR EXISTS(SELECT 1 FROM case_requests WHERE request_id = ?)", (event_id, request_id), inline=True)
        return bool(row and row[0])

    async def was_applied(self, event_id: str) -> bool:
        """True when the event id is recorded."""
        row = await self._db.fetch_one("SELECT 1 FROM processed_events WHERE event_id = ?", (event_id,), inline=True)
        return row is not None

    async def applied_with_prefix(self, prefix: str) -> bool:
        """A range scan on the primary key: every id from `prefix` up to the last one starting with it."""
        row = await self._db.fetch_one("SELECT 1 FROM processed_events WHERE event_id >= ? AND event_id < ? LIMIT 1",
                                       (prefix, prefix + "\U0010ffff"))
        return row is not None

    async def ping(self) -> bool:
        """True when SQLite answers."""
        return await self._db.ping()

    async def close(self) -> None:
        """Close the file."""
        await self._db.close()
