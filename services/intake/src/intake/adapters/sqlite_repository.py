"""Requests in the embedded SQLite file: a JSON document per row plus indexed columns and the outbox."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from typing import Any

from contracts.envelope import Envelope
from intake.adapters.repository import DuplicateRequest, RequestQuery, from_doc, time_key, to_doc
from intake.domain.model import IntakeRequest
from servicekit.storage.sqlite import SqliteDatabase
from servicekit.storage.sqlite_outbox import OUTBOX_SCHEMA, SqliteOutbox, add_to_outbox_sync

SCHEMA = (
    *OUTBOX_SCHEMA,
    """CREATE TABLE IF NOT EXISTS requests (
        id TEXT PRIMARY KEY,
        tracking_code TEXT NOT NULL UNIQUE,
        idempotency_key TEXT UNIQUE,
        external_ref TEXT UNIQUE,
        case_id TEXT,
        status TEXT NOT NULL,
        sub_category TEXT,
        submitted_key TEXT NOT NULL,
        closed_key TEXT,
        has_contact INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL,
        doc TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS requests_case ON requests(case_id)",
    "CREATE INDEX IF NOT EXISTS requests_submitted ON requests(submitted_key)",
    "CREATE INDEX IF NOT EXISTS requests_retention ON requests(closed_key) WHERE has_contact = 1",
    """CREATE TABLE IF NOT EXISTS parked_events (
        event_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, body TEXT NOT NULL,
        seq INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX IF NOT EXISTS parked_case ON parked_events(case_id)",
    "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
)

_COLUMNS = ("id", "tracking_code", "idempotency_key", "external_ref", "case_id", "status", "sub_category",
            "submitted_key", "closed_key", "has_contact", "version", "doc")


_INSERT = f"INSERT INTO requests({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})"


_UPDATE = f"UPDATE requests SET {', '.join(f'{c} = ?' for c in _COLUMNS[1:])} WHERE id = ? AND version = ?"


def _row(req: IntakeRequest) -> tuple[Any, ...]:
    return (req.id, req.tracking_code, req.idempotency_key, req.external_ref, req.case_id, req.status,
            req.sub_category, time_key(req.submitted_at), time_key(req.closed_at),
            int(req.contact_enc is not None), req.version, json.dumps(to_doc(req), ensure_ascii=False))


class SqliteRequestRepository:
    """RequestRepository on SQLite (WAL, one IMMEDIATE transaction per write)."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db
        self.outbox = SqliteOutbox(db)

    async def open(self) -> None:
        """Create tables and indexes."""
        await self._db.open(SCHEMA)

    async def reserve_sequences(self, day: str, count: int) -> int:
        """Atomically add `count` to the day's counter and return the new value (the block's last number)."""
        row = await self._db.write(lambda conn: conn.execute(
            "INSERT INTO counters(name, value) VALUES (?, ?) "
            "ON CONFLICT(name) DO UPDATE SET value = value + excluded.value RETURNING value",
            (f"tracking:{day}", count)).fetchone())
        return int(row[0])

    async def add(self, req: IntakeRequest, events: list[Envelope]) -> None:
        """Insert the row and its events in one transaction."""
        row = _row(req)

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(_INSERT, row)
            add_to_outbox_sync(conn, events)

        try:
            await self._db.write(insert)
        except sqlite3.IntegrityError as exc:
            text = str(exc)
            raise DuplicateRequest("external_ref" if "external_ref" in text else
                                   "idempotency_key" if "idempotency_key" in text else "id") from exc

    async def save(self, req: IntakeRequest, *, expected_version: int, events: list[Envelope]) -> bool:
        """Conditional replace on the version, with the events, in one transaction."""
        req.version = expected_version + 1
        params = (*_row(req)[1:], req.id, expected_version)

        def update(conn: sqlite3.Connection) -> bool:
            if conn.execute(_UPDATE, params).rowcount != 1:
                return False
            add_to_outbox_sync(conn, events)
            return True

        if not await self._db.write(update):
            req.version = expected_version
            return False
        return True

    async def _one(self, where: str, value: str) -> IntakeRequest | None:
        row = await self._db.fetch_one(f"SELECT doc FROM requests WHERE {where} = ?", (value,), inline=True)
        return from_doc(json.loads(row["doc"])) if row else None

    async def get(self, request_id: str) -> IntakeRequest | None:
        """One request by id."""
        return await self._one("id", request_id)

    async def by_tracking_code(self, code: str) -> IntakeRequest | None:
        """One request by tracking code."""
        return await self._one("tracking_code", code)

    async def by_idempotency_key(self, key: str) -> IntakeRequest | None:
        """The request created under this key."""
        return await self._one("idempotency_key", key)

    async def by_external_ref(self, ref: str) -> IntakeRequest | None:
        """The request imported under this order number."""
        return await self._one("external_ref", ref)

    async def by_case(self, case_id: str) -> list[IntakeRequest]:
        """Requests attached to a case."""
        rows = await self._db.fetch_all("SELECT doc FROM requests WHERE case_id = ? ORDER BY submitted_key",
                                        (case_id,), inline=True)
        return [from_doc(json.loads(r["doc"])) for r in rows]

    async def find(self, query: RequestQuery) -> list[IntakeRequest]:
        """Requests matching the filters, newest first."""
        where, params = ["1 = 1"], []
        if query.ids:
            where.append(f"id IN ({', '.join('?' for _ in query.ids)})")
            params.extend(query.ids)
        if query.sub_category:
            where.append("sub_category = ?")
            params.append(query.sub_category)
        if query.statuses:
            where.append(f"status IN ({', '.join('?' for _ in query.statuses)})")
            params.extend(query.statuses)
        if query.start:
            where.append("submitted_key >= ?")
            params.append(time_key(query.start))
        if query.end:
            where.append("submitted_key <= ?")
            params.append(time_key(query.end))
        rows = await self._db.fetch_all(
            f"SELECT doc FROM requests WHERE {' AND '.join(where)} ORDER BY submitted_key DESC LIMIT ?",
            (*params, query.limit))
        return [from_doc(json.loads(r["doc"])) for r in rows]

    async def closed_with_contact_before(self, cutoff: datetime, limit: int = 500) -> list[IntakeRequest]:
        """Closed requests past the retention cutoff that still hold contact data."""
        rows = await self._db.fetch_all(
            "SELECT doc FROM requests WHERE has_contact = 1 AND closed_key IS NOT NULL AND closed_key < ? "
            "ORDER BY closed_key LIMIT ?", (time_key(cutoff), limit))
        return [from_doc(json.loads(r["doc"])) for r in rows]

    async def park_event(self, case_id: str, event_id: str, body: str) -> None:
        """Keep an event about a case not linked yet."""
        await self._db.write(lambda conn: conn.execute(
            "INSERT OR IGNORE INTO parked_events(event_id, case_id, body, seq) "
            "VALUES (?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM parked_events))", (event_id, case_id, body)))

    async def parked(self, case_id: str) -> list[tuple[str, str]]:
        """The parked events of a case as (event id, body), oldest first; they stay until forgotten."""
        rows = await self._db.fetch_all(
            "SELECT event_id, body FROM parked_events WHERE case_id = ? ORDER BY seq", (case_id,), inline=True)
        return [(r["event_id"], r["body"]) for r in rows]

    async def forget_parked(self, event_ids: list[str]) -> None:
        """Remove parked events once they were applied."""
        await self._db.write(lambda conn: conn.executemany(
            "DELETE FROM parked_events WHERE event_id = ?", [(e,) for e in event_ids]))

    async def count(self) -> int:
        """How many requests are stored."""
        row = await self._db.fetch_one("SELECT COUNT(*) FROM requests")
        return int(row[0]) if row else 0

    async def ping(self) -> bool:
        """True when SQLite answers."""
        return await self._db.ping()
