"""Notification records and resident subscriptions in the notifier's SQLite file."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta

from contracts.envelope import Envelope
from notifier.adapters.documents import iso
from notifier.adapters.notification_repository import notification_doc, notification_from
from notifier.adapters.sqlite_serial import SerialSqlite
from notifier.domain.notifications import Endpoint, Notification
from servicekit.storage.sqlite_outbox import add_to_outbox_sync

NOTIFICATION_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS notifications (
        notification_id TEXT PRIMARY KEY, case_id TEXT, audience TEXT NOT NULL, recipient TEXT NOT NULL,
        channel TEXT NOT NULL, address TEXT NOT NULL, template TEXT NOT NULL, title TEXT NOT NULL,
        text TEXT NOT NULL, urgent INTEGER NOT NULL, data TEXT NOT NULL, created_at TEXT NOT NULL,
        next_attempt_at TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, last_error TEXT,
        sent_at TEXT, lease_owner TEXT, lease_until TEXT)""",
    "CREATE INDEX IF NOT EXISTS notifications_due ON notifications(next_attempt_at) WHERE status = 'pending'",
    "CREATE INDEX IF NOT EXISTS notifications_case ON notifications(case_id, created_at)",
    """CREATE TABLE IF NOT EXISTS subscriptions (
        case_id TEXT NOT NULL, channel TEXT NOT NULL, address TEXT NOT NULL, ref TEXT,
        PRIMARY KEY (case_id, channel, address))""",
)
_COLUMNS = ("notification_id", "case_id", "audience", "recipient", "channel", "address", "template", "title", "text",
            "urgent", "data", "created_at", "next_attempt_at", "status", "attempts", "last_error", "sent_at")
_INSERT = f"INSERT OR IGNORE INTO notifications({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"


def _row(n: Notification) -> tuple[object, ...]:
    doc = notification_doc(n)
    doc["data"] = json.dumps(doc["data"], ensure_ascii=False, default=str)
    return tuple(iso(v) if isinstance(v, datetime) else v for v in (doc[c] for c in _COLUMNS))


class SqliteNotificationRepository:
    """NotificationRepository on SQLite."""

    def __init__(self, db: SerialSqlite) -> None:
        self._db = db

    async def add(self, notifications: list[Notification]) -> int:
        """Insert-or-ignore by id."""
        rows = [_row(n) for n in notifications]
        if not rows:
            return 0

        def work(conn: sqlite3.Connection) -> int:
            before = conn.total_changes
            conn.executemany(_INSERT, rows)
            return conn.total_changes - before

        return await self._db.write(work)

    async def claim_due(self, now: datetime, lease_owner: str, lease_s: float, limit: int) -> list[Notification]:
        """One conditional UPDATE … RETURNING, like timers."""
        params = (lease_owner, iso(now + timedelta(seconds=lease_s)), iso(now), iso(now), limit)
        rows = await self._db.write(lambda conn: conn.execute(
            """UPDATE notifications SET lease_owner = ?, lease_until = ?
               WHERE notification_id IN (
                 SELECT notification_id FROM notifications WHERE status = 'pending' AND next_attempt_at <= ?
                   AND (lease_until IS NULL OR lease_until <= ?) ORDER BY next_attempt_at LIMIT ?)
               RETURNING *""", params).fetchall())
        return sorted((notification_from(r) for r in rows), key=lambda n: n.next_attempt_at)

    async def record_attempt(self, notification: Notification, *, lease_owner: str,
                             events: list[Envelope]) -> bool:
        """Conditional on the lease; the outcome event goes to the outbox in the same transaction."""
        n = notification
        params = (str(n.status), n.attempts, n.last_error, iso(n.next_attempt_at), iso(n.sent_at), n.notification_id,
                  lease_owner)

        def work(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "UPDATE notifications SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?, sent_at = ?, "
                "lease_owner = NULL, lease_until = NULL WHERE notification_id = ? AND lease_owner = ? "
                "AND status = 'pending'", params)
            if cur.rowcount != 1:
                return False
            add_to_outbox_sync(conn, events)
            return True

        return await self._db.write(work)

    async def for_case(self, case_id: str) -> list[Notification]:
        """A case's notifications, oldest first."""
        rows = await self._db.fetch_all(
            "SELECT * FROM notifications WHERE case_id = ? ORDER BY created_at, notification_id", (case_id,))
        return [notification_from(r) for r in rows]

    async def count(self, status: str) -> int:
        """How many notifications are in this status."""
        row = await self._db.fetch_one("SELECT COUNT(*) FROM notifications WHERE status = ?", (status,))
        return int(row[0]) if row else 0

    async def subscribe(self, case_id: str, endpoint: Endpoint, *, ref: str | None) -> None:
        """Upsert one subscription."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO subscriptions(case_id, channel, address, ref) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(case_id, channel, address) DO UPDATE SET ref = excluded.ref",
                (case_id, endpoint.channel, endpoint.address, ref))

    async def subscribers(self, case_id: str) -> list[tuple[Endpoint, str | None]]:
        """The case's resident endpoints."""
        rows = await self._db.fetch_all(
            "SELECT channel, address, ref FROM subscriptions WHERE case_id = ? ORDER BY channel, address", (case_id,))
        return [(Endpoint(r["channel"], r["address"]), r["ref"]) for r in rows]


