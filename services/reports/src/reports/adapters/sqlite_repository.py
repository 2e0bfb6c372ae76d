"""The SQLite adapter: facts, rollup rows and the outbox in one file; each change one transaction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from contracts.envelope import Envelope
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


class SqliteReportsRepository:
    """Reports state in SQLite (the embedded default)."""

    def __init__(self, path: Path) -> None:
        self.db = SqliteDatabase(path)
        self.outbox = SqliteOutbox(self.db)

    async def ensure_indexes(self) -> None:
        """Open the file and apply the schema."""
        await self.db.open(SCHEMA)

    async def get_fact(self, case_id: str) -> CaseFact | None:
        """The case's fact or None."""
        row = await self.db.fetch_one("SELECT doc FROM facts WHERE case_id = ?", (case_id,))
        return from_doc(json.loads(row["doc"])) if row else None

    async def save_fact(self, fact: CaseFact, *, expected_version: int,
                        delta: dict[BucketKey, dict[str, int]]) -> None:
        """Version-checked upsert of the fact plus the rollup increments, in one transaction."""
        doc = to_doc(fact)
        async with self.db.transaction() as conn:
            async with conn.execute("SELECT version FROM facts WHERE case_id = ?", (fact.case_id,)) as cur:
                row = await cur.fetchone()
            if (row["version"] if row else 0) != expected_version:
                raise VersionConflict(fact.case_id)
            cols = ", ".join(FACT_COLUMNS)
            await conn.execute(
                f"INSERT OR REPLACE INTO facts(case_id, version, {cols}, is_open, has_text, doc) "
                f"VALUES (?, ?, {', '.join('?' for _ in FACT_COLUMNS)}, ?, ?, ?)",
                (fact.case_id, fact.version, *(doc[c] for c in FACT_COLUMNS), int(fact.is_open),
                 int(bool(fact.text)), json.dumps(doc, ensure_ascii=False)))
            for key, inc in delta.items():
                await _add_rollup(conn, key, inc)

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
        async with self.db.transaction() as conn:
            cur = await conn.execute(
                "INSERT OR IGNORE INTO events(event_id, type, time, body) VALUES (?, ?, ?, ?)",
                (envelope.id, envelope.type, envelope.time.isoformat(), envelope.model_dump_json()))
            return bool(cur.rowcount)

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


async def _add_rollup(conn: Any, key: BucketKey, inc: dict[str, int]) -> None:
    names = [m for m in MEASURES if m in inc]
    cols = [*KEY_COLUMNS, *PATH_COLUMNS, *names]
    values = [getattr(key, c) for c in (*KEY_COLUMNS, *PATH_COLUMNS)] + [inc[m] for m in names]
    updates = ", ".join(f"{m} = {m} + excluded.{m}" for m in names)
    await conn.execute(
        f"INSERT INTO rollups({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)}) "
        f"ON CONFLICT({', '.join(KEY_COLUMNS)}) DO UPDATE SET {updates}", values)


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
