"""Outbox rows in the service's SQLite file, written in the same transaction as the state change."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime

import aiosqlite

from contracts.envelope import Envelope
from contracts.registry import routing_key
from servicekit.outbox import OutboxItem
from servicekit.storage.sqlite import SqliteDatabase

OUTBOX_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        routing_key TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        published_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(seq) WHERE published_at IS NULL",
)


_INSERT = "INSERT OR IGNORE INTO outbox(event_id, routing_key, body, created_at) VALUES (?, ?, ?, ?)"


def _rows(envelopes: Iterable[Envelope]) -> list[tuple[str, str, str, str]]:
    now = datetime.now(UTC).isoformat()
    return [(e.id, routing_key(e), e.model_dump_json(), now) for e in envelopes]


async def add_to_outbox(conn: aiosqlite.Connection, envelopes: Iterable[Envelope]) -> None:
    """Insert events inside the caller's open transaction (a replayed id is ignored)."""
    await conn.executemany(_INSERT, _rows(envelopes))


def add_to_outbox_sync(conn: sqlite3.Connection, envelopes: Iterable[Envelope]) -> None:
    """The same inside a `SqliteDatabase.write` function (the events are serialised by the caller's thread)."""
    conn.executemany(_INSERT, _rows(envelopes))


class SqliteOutbox:
    """The relay's view of the outbox table."""

    def __init__(self, db: SqliteDatabase) -> None:
        self._db = db

    async def fetch_pending(self, limit: int) -> list[OutboxItem]:
        """Oldest unpublished events first."""
        rows = await self._db.fetch_all(
            "SELECT event_id, routing_key, body FROM outbox WHERE published_at IS NULL ORDER BY seq LIMIT ?",
            (limit,), inline=True)
        return [OutboxItem(r["event_id"], r["routing_key"], r["body"].encode()) for r in rows]

    async def mark_published(self, items: list[OutboxItem]) -> None:
        """Mark confirmed events as published."""
        now = datetime.now(UTC).isoformat()
        rows = [(now, i.event_id) for i in items]
        await self._db.write(lambda conn: conn.executemany(
            "UPDATE outbox SET published_at = ? WHERE event_id = ?", rows))

    async def pending_count(self) -> int:
        """How many events wait to be published."""
        row = await self._db.fetch_one("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
        return int(row[0]) if row else 0
