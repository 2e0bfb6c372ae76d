"""Audit log stores: SQLite with triggers refusing UPDATE and DELETE, and a MongoDB collection (insert only)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from servicekit.auth.audit import AuditEntry, AuditLog, AuditQuery
from servicekit.settings import ServiceSettings
from servicekit.storage.mongo import connect_mongo
from servicekit.storage.sqlite import SqliteDatabase

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS audit_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, entry_id TEXT UNIQUE NOT NULL,
        at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, resource TEXT, place TEXT NOT NULL,
        doc TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS audit_resource ON audit_log(resource, at)",
    "CREATE INDEX IF NOT EXISTS audit_actor ON audit_log(actor, at)",
    "CREATE INDEX IF NOT EXISTS audit_place ON audit_log(place, at)",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""",
)


def _entry(doc: dict[str, Any]) -> AuditEntry:
    at = doc["at"]
    return AuditEntry(**{**doc, "at": at if isinstance(at, datetime) else datetime.fromisoformat(at)})


class SqliteAuditLog:
    """The audit table in its own SQLite file."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    @classmethod
    async def open(cls, path: Path) -> SqliteAuditLog:
        """Open (creating) the file and its schema."""
        db = SqliteDatabase(path)
        await db.open(SCHEMA)
        return cls(db)

    async def append(self, entry: AuditEntry) -> None:
        """Insert one row."""
        doc = entry.as_dict()
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO audit_log(entry_id, at, actor, action, resource, place, doc) VALUES (?,?,?,?,?,?,?)",
                (entry.entry_id, doc["at"], entry.actor, entry.action, entry.resource, entry.place,
                 json.dumps(doc, ensure_ascii=False)))

    async def query(self, query: AuditQuery) -> list[AuditEntry]:
        """Filters with AND, newest first."""
        clauses, params = ["substr(place, 1, ?) = ?"], [len(query.within), query.within]
        for column, value in (("actor", query.actor), ("resource", query.resource), ("action", query.action)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if query.since:
            clauses.append("at >= ?")
            params.append(query.since.astimezone(UTC).isoformat())
        if query.until:
            clauses.append("at < ?")
            params.append(query.until.astimezone(UTC).isoformat())
        rows = await self._db.fetch_all(
            f"SELECT doc FROM audit_log WHERE {' AND '.join(clauses)} ORDER BY seq DESC LIMIT ?",
            (*params, query.limit))
        return [_entry(json.loads(r["doc"])) for r in rows]

    async def close(self) -> None:
        """Close the file."""
        await self._db.close()


class MongoAuditLog:
    """The `audit_log` collection; the service only ever inserts (grant its user insert+find there)."""

    def __init__(self, db: Any, client: Any = None) -> None:
        self._entries = db["audit_log"]
        self._client = client

    async def ensure_indexes(self) -> None:
        """Indexes for the query filters."""
        for keys in ([("resource", 1), ("at", -1)], [("actor", 1), ("at", -1)], [("place", 1), ("at", -1)]):
            await self._entries.create_index(keys)
        await self._entries.create_index("entry_id", unique=True)

    async def append(self, entry: AuditEntry) -> None:
        """Insert one document."""
        await self._entries.insert_one({**entry.as_dict(), "at": entry.at})

    async def query(self, query: AuditQuery) -> list[AuditEntry]:
        """Filters with AND, newest first."""
        found: dict[str, Any] = {"place": {"$regex": "^" + re.escape(query.within)}}
        for name in ("actor", "resource", "action"):
            if getattr(query, name) is not None:
                found[name] = str(getattr(query, name))
        span = {k: v for k, v in (("$gte", query.since), ("$lt", query.until)) if v is not None}
        if span:
            found["at"] = span
        cursor = self._entries.find(found, {"_id": 0}).sort("at", -1).limit(query.limit)
        return [_entry(doc) async for doc in cursor]

    async def close(self) -> None:
        """Close the client when this log opened it."""
        if self._client is not None:
            await self._client.close()


async def open_audit_log(settings: ServiceSettings, service: str) -> AuditLog:
    """MongoDB (the service's database) when MONGODB_URL is set, else `<data dir>/<service>-audit.sqlite3`."""
    if settings.mongodb_url:
        client, db = connect_mongo(settings.mongodb_url, settings.mongodb_db or f"whistle_{service}")
        log = MongoAuditLog(db, client)
        await log.ensure_indexes()
        return log
    return await SqliteAuditLog.open(settings.data_dir / f"{service}-audit.sqlite3")
