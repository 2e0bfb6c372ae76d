"""The SQLite adapter: facts, rollup rows and the outbox in one file; each change one transaction."""

from __future__ import annotations

import json
import sqlite3
from functools import lru_cache
from operator import attrgetter
from pathlib import Path
from typing import Any

from contracts.envelope import Envelope
from reports.adapters.recent_facts import RecentFacts
from reports.adapters.repository import FactQuery, RollupQuery, VersionConflict
from reports.domain.facts import CaseFact, from_doc, to_doc
from reports.domain.rollups import MEASURES, BucketKey
from servicekit.storage.sqlite import SqliteDatabase
from servicekit.storage.sqlite_outbox import OUTBOX_SCHEMA, SqliteOutbox, add_to_outbox

KEY_COLUMNS = ("grain", "day", "level", "node", "class_code", "category", "unit")
PATH_COLUMNS = ("district", "street", "community", "compound", "grid")
FACT_COLUMNS = ("district_id", "street_id", "community_id", "compound_id", "grid_id", "class_code",
                "sub_category", "unit_id", "status", "channel", "created_at")
SCHEMA = (
    *OUTBOX_SCHEMA,
    f"""CREATE TABLE IF NOT EXISTS facts (case_id TEXT PRIMARY KEY, version INTEGER NOT NULL,
        {", ".join(f"{c} TEXT" for c in FACT_COLUMNS)}, is_open INTEGER, has_text INTEGER, doc TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS facts_created ON facts(created_at)",
    "CREATE INDEX IF NOT EXISTS facts_community ON facts(community_id, created_at)",
    "CREATE INDEX IF NOT EXISTS facts_open ON facts(is_open, created_at)",
    f"""CREATE TABLE IF NOT EXISTS rollups ({", ".join(f"{c} TEXT NOT NULL" for c in KEY_COLUMNS + PATH_COLUMNS)},
        {", ".join(f"{m} INTEGER NOT NULL DEFAULT 0" for m in MEASURES)},
        PRIMARY KEY ({", ".join(KEY_COLUMNS)}))""",
    "CREATE INDEX IF NOT EXISTS rollups_level_day ON rollups(grain, level, day)",
    "CREATE INDEX IF NOT EXISTS rollups_street ON rollups(grain, level, street, day)",
    "CREATE INDEX IF NOT EXISTS rollups_community ON rollups(grain, level, community, day)",
    """CREATE TABLE IF NOT EXISTS events (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
        type TEXT NOT NULL, time TEXT NOT NULL, body TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS hotspots (hotspot_id TEXT PRIMARY KEY, community_id TEXT,
        detected_at TEXT NOT NULL, doc TEXT NOT NULL)""",
)

_MEASURE_ORDER = {m: i for i, m in enumerate(MEASURES)}
_key_values = attrgetter(*KEY_COLUMNS, *PATH_COLUMNS)
_LOG_EVENT = "INSERT OR IGNORE INTO events(event_id, type, time, body) VALUES (?, ?, ?, ?)"
_FACT_VALUES = (*FACT_COLUMNS, "is_open", "has_text", "doc", "version")
_INSERT_FACT = (f"INSERT INTO facts({', '.join(_FACT_VALUES)}, case_id) "
                f"VALUES ({', '.join('?' for _ in _FACT_VALUES)}, ?)")
_UPDATE_FACT = (f"UPDATE facts SET {', '.join(f'{c} = ?' for c in _FACT_VALUES)} "
                "WHERE case_id = ? AND version = ?")


class SqliteReportsRepository:
    """Reports state in SQLite (the embedded default)."""

    def __init__(self, path: Path) -> None:
        self.db = SqliteDatabase(path)
        self.outbox = SqliteOutbox(self.db)
        self._recent = RecentFacts()

    async def ensure_indexes(self) -> None:
        """Open the file and apply the schema."""
        await self.db.open(SCHEMA)

    async def get_fact(self, case_id: str) -> CaseFact | None:
        """The case's fact or None (the one this process last saw, when it has it)."""
        fact = self._recent.get(case_id)
        if fact is None:
            row = await self.db.fetch_one("SELECT doc FROM facts WHERE case_id = ?", (case_id,), inline=True)
            fact = from_doc(json.loads(row["doc"])) if row else None
            if fact is not None:
                self._recent.put(fact)
        return fact

    async def save_fact(self, fact: CaseFact, *, expected_version: int,
                        delta: dict[BucketKey, dict[str, int]], event: Envelope | None = None) -> None:
        """Version-checked fact, rollup increments and logged event: one transaction, one trip to SQLite's thread."""
        doc = to_doc(fact)
        values = (*(doc[c] for c in FACT_COLUMNS), int(fact.is_open), int(bool(fact.text)),
                  json.dumps(doc, ensure_ascii=False), fact.version)
        logged = _log_row(event) if event is not None else None
        upserts = _rollup_upserts(delta)

        def work(conn: sqlite3.Connection) -> None:
            if logged is not None:
                conn.execute(_LOG_EVENT, logged)
            if expected_version == 0:
                try:
                    conn.execute(_INSERT_FACT, (*values, fact.case_id))
                except sqlite3.IntegrityError:
                    raise VersionConflict(fact.case_id) from None
            elif conn.execute(_UPDATE_FACT, (*values, fact.case_id, expected_version)).rowcount != 1:
                raise VersionConflict(fact.case_id)
            for sql, rows in upserts:
                conn.executemany(sql, rows)

        try:
            await self.db.write(work)
        except BaseException:
            self._recent.drop(fact.case_id)
            raise
        self._recent.put(fact)

    async def rollup(self, query: RollupQuery) -> list[tuple[tuple[str, ...], dict[str, int]]]:
        """Sum measures per group with one SQL aggregate."""
        where, params = ["grain = ?", "level = ?"], [query.grain, query.level]
        for column, value in query.where.items():
            where.append(f"{_column(column)} = ?")
            params.append(value)
        if query.day_from:
            where.append("day >= ?")
            params.append(query.day_from)
        if query.day_to:
            where.append("day <= ?")
            params.append(query.day_to)
        groups = [_column(g) for g in query.group_by]
        select = ", ".join([*groups, *(f"SUM({m}) AS {m}" for m in MEASURES)])
        sql = f"SELECT {select} FROM rollups WHERE {' AND '.join(where)}"
        if groups:
            sql += f" GROUP BY {', '.join(groups)}"
        rows = await self.db.fetch_all(sql, params)
        out = []
        for row in rows:
            sums = {m: int(row[m] or 0) for m in MEASURES}
            if groups or sums["cases"] or any(sums.values()):
                out.append((tuple(str(row[g]) for g in groups), sums))
        return out

    async def facts(self, query: FactQuery) -> list[CaseFact]:
        """Facts matching the query, newest first."""
        where, params = _fact_where(query)
        rows = await self.db.fetch_all(
            f"SELECT doc FROM facts WHERE {where} ORDER BY created_at DESC, case_id LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset])
        return [from_doc(json.loads(r["doc"])) for r in rows]

    async def count_facts(self, query: FactQuery) -> int:
        """How many facts match."""
        where, params = _fact_where(query)
        row = await self.db.fetch_one(f"SELECT COUNT(*) FROM facts WHERE {where}", params)
        return int(row[0]) if row else 0

    async def save_hotspots(self, hotspots: list[dict[str, Any]], envelopes: list[Envelope]) -> int:
        """Insert unseen hot issues and their events together."""
        by_id = {e.data["hotspot_id"]: e for e in envelopes}
        new = 0
        async with self.db.transaction() as conn:
            for spot in hotspots:
                cur = await conn.execute(
                    "INSERT OR IGNORE INTO hotspots(hotspot_id, community_id, detected_at, doc) VALUES (?, ?, ?, ?)",
                    (spot["hotspot_id"], spot.get("community_id"), spot["detected_at"],
                     json.dumps(spot, ensure_ascii=False)))
                if cur.rowcount:
                    new += 1
                    await add_to_outbox(conn, [by_id[spot["hotspot_id"]]])
        return new

    async def hotspots(self, *, community_id: str | None, limit: int) -> list[dict[str, Any]]:
        """Stored hot issues, newest first."""
        sql, params = "SELECT doc FROM hotspots", []
        if community_id:
            sql, params = sql + " WHERE community_id = ?", [community_id]
        rows = await self.db.fetch_all(sql + " ORDER BY detected_at DESC, hotspot_id LIMIT ?", [*params, limit])
        return [json.loads(r["doc"]) for r in rows]

    async def append_event(self, envelope: Envelope) -> bool:
        """Insert the raw event unless its id is already logged."""
        row = _log_row(envelope)
        return bool(await self.db.write(lambda conn: conn.execute(_LOG_EVENT, row).rowcount))

    async def replay(self, *, after: int, limit: int) -> list[tuple[int, Envelope]]:
        """Logged events after a position, in arrival order."""
        rows = await self.db.fetch_all("SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                                       (after, limit))
        return [(int(r["seq"]), Envelope.model_validate_json(r["body"])) for r in rows]

    async def clear(self) -> None:
        """Delete facts and rollups (the event log and published hot issues stay)."""
        async with self.db.transaction() as conn:
            for table in ("facts", "rollups"):
                await conn.execute(f"DELETE FROM {table}")
        self._recent.clear()

    async def ping(self) -> bool:
        """True when the file answers."""
        return await self.db.ping()

    async def close(self) -> None:
        """Close the file."""
        await self.db.close()


def _column(name: str) -> str:
    allowed = (*KEY_COLUMNS, *PATH_COLUMNS, *FACT_COLUMNS)
    if name not in allowed:
        raise ValueError(f"unknown column {name!r}")
    return name


def _log_row(envelope: Envelope) -> tuple[str, str, str, str]:
    return envelope.id, envelope.type, envelope.time.isoformat(), envelope.model_dump_json()


def _rollup_upserts(delta: dict[BucketKey, dict[str, int]]) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The delta as one executemany per set of measures it changes (usually one set for every row)."""
    groups: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for key, inc in delta.items():
        names = tuple(sorted(inc, key=_MEASURE_ORDER.__getitem__))
        groups.setdefault(names, []).append((*_key_values(key), *(inc[m] for m in names)))
    return [(_upsert_sql(names), rows) for names, rows in groups.items()]


@lru_cache(maxsize=512)
def _upsert_sql(names: tuple[str, ...]) -> str:
    cols = [*KEY_COLUMNS, *PATH_COLUMNS, *names]
    updates = ", ".join(f"{m} = {m} + excluded.{m}" for m in names)
    return (f"INSERT INTO rollups({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
            f"ON CONFLICT({', '.join(KEY_COLUMNS)}) DO UPDATE SET {updates}")


def _fact_where(query: FactQuery) -> tuple[str, list[Any]]:
    where, params = ["1 = 1"], []
    for column, value in query.where.items():
        where.append(f"{_column(column)} = ?")
        params.append(value)
    if query.created_from:
        where.append("created_at >= ?")
        params.append(query.created_from)
    if query.created_to:
        where.append("created_at < ?")
        params.append(query.created_to)
    if query.open_only:
        where.append("is_open = 1")
    if query.text_only:
        where.append("has_text = 1")
    return " AND ".join(where), params
