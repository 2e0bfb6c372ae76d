"""Opening the notifier's store: SQLite by default, MongoDB when MONGODB_URL is set."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notifier.adapters.mongo_notifications import MongoNotificationRepository
from notifier.adapters.mongo_repository import MongoTimerRepository
from notifier.adapters.notification_repository import NotificationRepository
from notifier.adapters.repository import TimerRepository
from notifier.adapters.sqlite_notifications import NOTIFICATION_SCHEMA, SqliteNotificationRepository
from notifier.adapters.sqlite_repository import TIMER_SCHEMA, SqliteTimerRepository
from notifier.adapters.sqlite_serial import SerialOutbox, SerialSqlite
from servicekit.outbox import OutboxItem, OutboxStore
from servicekit.storage.mongo import connect_mongo, ping_mongo
from servicekit.storage.mongo_outbox import MongoOutbox
from servicekit.storage.sqlite import SqliteDatabase
from servicekit.storage.sqlite_outbox import SqliteOutbox


class CombinedOutbox:
    """The relay's view over several MongoDB collections that each carry outbox entries."""

    def __init__(self, parts: list[MongoOutbox]) -> None:
        self._parts = parts
        self._owner: dict[str, MongoOutbox] = {}

    async def fetch_pending(self, limit: int) -> list[OutboxItem]:
        """Pending entries of every collection (each keeps its documents' order)."""
        items: list[OutboxItem] = []
        for part in self._parts:
            for item in await part.fetch_pending(limit):
                self._owner[item.event_id] = part
                items.append(item)
        return items

    async def mark_published(self, items: list[OutboxItem]) -> None:
        """Hand each confirmed entry back to the collection it came from."""
        for part in self._parts:
            mine = [i for i in items if self._owner.get(i.event_id) is part]
            if mine:
                await part.mark_published(mine)
        for item in items:
            self._owner.pop(item.event_id, None)

    async def pending_count(self) -> int:
        """Documents with pending entries, over all collections."""
        return sum([await p.pending_count() for p in self._parts])


@dataclass
class Store:
    """The opened store: repositories, the outbox view, a ping and a close."""

    label: str
    location: str
    timers: TimerRepository
    notifications: NotificationRepository
    outbox: OutboxStore
    sqlite: SqliteDatabase | None = None
    serial: SerialSqlite | None = None
    mongo_client: Any = None
    mongo_db: Any = None

    async def ping(self) -> bool:
        """True when the store answers."""
        if self.serial is not None:
            return await self.serial.fetch_one("SELECT 1") is not None
        return await ping_mongo(self.mongo_db)

    async def close(self) -> None:
        """Close connections."""
        if self.sqlite is not None:
            await self.sqlite.close()
        if self.mongo_client is not None:
            await self.mongo_client.close()


async def open_sqlite(path: Path) -> Store:
    """The embedded store in one WAL file."""
    db = SqliteDatabase(path)
    await db.open((*TIMER_SCHEMA, *NOTIFICATION_SCHEMA))
    serial = SerialSqlite(db)
    return Store("sqlite", str(path), SqliteTimerRepository(serial), SqliteNotificationRepository(serial),
                 SerialOutbox(SqliteOutbox(db), serial.lock), sqlite=db, serial=serial)


async def open_mongo_db(db: Any, *, client: Any = None, location: str = "mongodb") -> Store:
    """The MongoDB store on an open database (a real one or mongomock's); creates the indexes."""
    timers = MongoTimerRepository(db)
    notifications = MongoNotificationRepository(db)
    await timers.ensure_indexes()
    await notifications.ensure_indexes()
    parts = [MongoOutbox(timers.cases), MongoOutbox(timers.timers), MongoOutbox(notifications.notifications)]
    for part in parts:
        await part.ensure_indexes()
    return Store("mongodb", location, timers, notifications, CombinedOutbox(parts), mongo_client=client, mongo_db=db)


async def open_store(*, mongodb_url: str | None, mongodb_db: str, sqlite_path: Path) -> Store:
    """MongoDB when a URL is given, otherwise the SQLite file."""
    if mongodb_url:
        client, db = connect_mongo(mongodb_url, mongodb_db)
        return await open_mongo_db(db, client=client, location=mongodb_db)
    return await open_sqlite(sqlite_path)
