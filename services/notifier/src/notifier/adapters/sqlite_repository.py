"""The SQLite adapter: case clocks, timers, processed events and outbox in one file, one transaction each."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta

from contracts.envelope import Envelope
from notifier.adapters.documents import (
    asset_from_doc,
    asset_to_doc,
    case_from_doc,
    case_to_doc,
    iso,
    timer_from_doc,
    utc,
)
from notifier.adapters.repository import ConcurrentUpdate
from notifier.adapters.sqlite_serial import SerialSqlite
from notifier.domain.assets import Asset
from notifier.domain.case_clock import CaseClock
from notifier.domain.timers import Timer
from servicekit.storage.sqlite_outbox import OUTBOX_SCHEMA, add_to_outbox_sync

TIMER_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS cases (
        case_id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL, updated_at TEXT NOT NULL)""",
    "CREATE TABLE IF NOT EXISTS processed_events (event_id TEXT PRIMARY KEY, processed_at TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS timers (
        timer_id TEXT PRIMARY KEY, case_id TEXT NOT NULL, community_id TEXT NOT NULL, deadline TEXT NOT NULL,
        kind TEXT NOT NULL, fraction REAL NOT NULL, tier INTEGER NOT NULL, due_at TEXT NOT NULL,
        deadline_at TEXT NOT NULL, status TEXT NOT NULL, lease_owner TEXT, lease_until TEXT, fired_at TEXT)""",
    "CREATE INDEX IF NOT EXISTS timers_due ON timers(due_at) WHERE status = 'scheduled'",
    "CREATE INDEX IF NOT EXISTS timers_case ON timers(case_id, due_at)",
    "CREATE TABLE IF NOT EXISTS assets (asset_id TEXT PRIMARY KEY, doc TEXT NOT NULL, updated_at TEXT NOT NULL)",
    *OUTBOX_SCHEMA,
)

_UPSERT_TIMER = """
INSERT INTO timers(timer_id, case_id, community_id, deadline, kind, fraction, tier, due_at, deadline_at, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled')
ON CONFLICT(timer_id) DO UPDATE SET status = 'scheduled', tier = excluded.tier
WHERE timers.status = 'cancelled'"""


def _json(doc: dict[str, object]) -> str:
    return json.dumps(doc, ensure_ascii=False, default=lambda v: iso(v) if isinstance(v, datetime) else str(v))


class SqliteTimerRepository:
    """TimerRepository on the service's SQLite file."""

    def __init__(self, db: SerialSqlite) -> None:
        self._db = db

    async def get_case(self, case_id: str) -> CaseClock | None:
        """The case's clock with its version."""
        row = await self._db.fetch_one("SELECT doc, version FROM cases WHERE case_id = ?", (case_id,), inline=True)
        return None if row is None else case_from_doc(json.loads(row["doc"]), int(row["version"]))

    async def get_cases(self, case_ids: Collection[str]) -> dict[str, CaseClock]:
        """The clocks of several cases at once (unknown ids are left out)."""
        ids = list(dict.fromkeys(case_ids))
        if not ids:
            return {}
        rows = await self._db.fetch_all(
            f"SELECT case_id, doc, version FROM cases WHERE case_id IN ({','.join('?' * len(ids))})", ids, inline=True)
        return {r["case_id"]: case_from_doc(json.loads(r["doc"]), int(r["version"])) for r in rows}

    async def save_case(self, case: CaseClock, *, timers: list[Timer], events: list[Envelope], event_id: str) -> bool:
        """One transaction in one hand-over: processed-event marker, versioned case row, timer set, outbox."""
        now = iso(datetime.now(UTC))
        doc = _json(case_to_doc(case))
        rows = _timer_rows(timers)

        def work(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "INSERT OR IGNORE INTO processed_events(event_id, processed_at) VALUES (?, ?)", (event_id, now))
            if cur.rowcount == 0:
                return False
            _write_case(conn, case, doc, now)
            _sync_timers(conn, case.case_id, rows)
            add_to_outbox_sync(conn, events)
            return True

        return await self._db.write(work)

    async def timers_for_case(self, case_id: str) -> list[Timer]:
        """Every timer of the case in due order."""
        rows = await self._db.fetch_all("SELECT * FROM timers WHERE case_id = ? ORDER BY due_at, timer_id", (case_id,),
                                        inline=True)
        return [timer_from_doc(r) for r in rows]

    async def claim_due_timers(self, now: datetime, lease_owner: str, lease_s: float, limit: int) -> list[Timer]:
        """One conditional UPDATE … RETURNING: due, scheduled, lease free or expired."""
        params = (lease_owner, iso(now + timedelta(seconds=lease_s)), iso(now), iso(now), limit)
        rows = await self._db.write(lambda conn: conn.execute(
            """UPDATE timers SET lease_owner = ?, lease_until = ?
               WHERE timer_id IN (
                 SELECT timer_id FROM timers WHERE status = 'scheduled' AND due_at <= ?
                   AND (lease_until IS NULL OR lease_until <= ?) ORDER BY due_at LIMIT ?)
               RETURNING *""", params).fetchall())
        return sorted((timer_from_doc(r) for r in rows), key=lambda t: (t.due_at, t.timer_id))

    async def complete_timers(self, timers: list[Timer], *, lease_owner: str, fired_at: datetime,
                              events: Mapping[str, list[Envelope]]) -> set[str]:
        """Fire, in one transaction, the timers whose lease `lease_owner` still holds, and queue their events."""
        ids = [t.timer_id for t in timers]
        if not ids:
            return set()

        def work(conn: sqlite3.Connection) -> set[str]:
            fired = {r[0] for r in conn.execute(
                f"UPDATE timers SET status = 'fired', fired_at = ?, lease_until = NULL "
                f"WHERE lease_owner = ? AND status = 'scheduled' AND timer_id IN ({','.join('?' * len(ids))}) "
                f"RETURNING timer_id", (iso(fired_at), lease_owner, *ids)).fetchall()}
            add_to_outbox_sync(conn, [e for tid in ids if tid in fired for e in events.get(tid, ())])
            return fired

        return await self._db.write(work)

    async def next_due_at(self) -> datetime | None:
        """Earliest due instant among scheduled timers (uses the partial due index)."""
        row = await self._db.fetch_one("SELECT MIN(due_at) FROM timers WHERE status = 'scheduled'")
        return utc(row[0]) if row and row[0] else None

    async def count_timers(self, status: str) -> int:
        """How many timers are in this status."""
        row = await self._db.fetch_one("SELECT COUNT(*) FROM timers WHERE status = ?", (status,))
        return int(row[0]) if row else 0

    async def save_asset(self, asset: Asset, *, timers: list[Timer]) -> None:
        """Upsert the asset and sync its reminder timers in one transaction."""
        now = iso(datetime.now(UTC))
        doc, rows = _json(asset_to_doc(asset)), _timer_rows(timers)

        def work(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO assets(asset_id, doc, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT(asset_id) DO UPDATE SET doc = excluded.doc, updated_at = excluded.updated_at",
                (asset.asset_id, doc, now))
            _sync_timers(conn, asset.owner_id(), rows)

        await self._db.write(work)

    async def get_asset(self, asset_id: str) -> Asset | None:
        """An asset register entry."""
        row = await self._db.fetch_one("SELECT doc FROM assets WHERE asset_id = ?", (asset_id,), inline=True)
        return None if row is None else asset_from_doc(json.loads(row["doc"]))

    async def repair(self) -> int:
        """Nothing to repair: every change is one transaction."""
        return 0


def _timer_rows(timers: list[Timer]) -> list[tuple[object, ...]]:
    return [(t.timer_id, t.case_id, t.community_id, t.deadline, str(t.kind), t.fraction, t.tier, iso(t.due_at),
             iso(t.deadline_at)) for t in timers]


def _write_case(conn: sqlite3.Connection, case: CaseClock, doc: str, now: str | None) -> None:
    if case.version == 0:
        cur = conn.execute("INSERT OR IGNORE INTO cases(case_id, version, doc, updated_at) VALUES (?, 1, ?, ?)",
                           (case.case_id, doc, now))
    else:
        cur = conn.execute(
            "UPDATE cases SET version = version + 1, doc = ?, updated_at = ? WHERE case_id = ? AND version = ?",
            (doc, now, case.case_id, case.version))
    if cur.rowcount != 1:
        raise ConcurrentUpdate(f"case {case.case_id} changed since version {case.version}")


def _sync_timers(conn: sqlite3.Connection, owner_id: str, rows: list[tuple[object, ...]]) -> None:
    """Upsert the wanted timers (a fired one is never re-armed) and cancel the owner's other scheduled ones."""
    conn.executemany(_UPSERT_TIMER, rows)
    keep = [r[0] for r in rows]
    conn.execute(
        f"UPDATE timers SET status = 'cancelled', lease_owner = NULL, lease_until = NULL "
        f"WHERE case_id = ? AND status = 'scheduled' AND timer_id NOT IN ({','.join('?' * len(keep))})",
        (owner_id, *keep))
