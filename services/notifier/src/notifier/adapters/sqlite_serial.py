"""One SQLite connection used by several coroutines, one statement sequence at a time.

Why: a read whose rows are still being fetched keeps a read transaction open on the shared connection; a
`BEGIN IMMEDIATE` issued by another coroutine in that moment gets SQLITE_BUSY at once (SQLite does not wait
on a connection that already reads) whenever another *process* holds the write lock. Two notifier replicas
on one SQLite file hit exactly that, so every read and every transaction of this service goes through one
lock per connection.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import aiosqlite

from servicekit.outbox import OutboxItem, OutboxStore
from servicekit.storage.sqlite import SqliteDatabase

T = TypeVar("T")


class SerialSqlite:
    """The service's SQLite database behind a lock shared by reads, transactions and the outbox relay."""

    def __init__(self, db: SqliteDatabase) -> None:
        self.db = db
        self.lock = asyncio.Lock()

    async def fetch_all(self, sql: str, params: Iterable[Any] = (), *, inline: bool = False) -> list[aiosqlite.Row]:
        """Every row of a read query (`inline` as in `SqliteDatabase.read`)."""
        async with self.lock:
            return await self.db.fetch_all(sql, params, inline=inline)

    async def fetch_one(self, sql: str, params: Iterable[Any] = (), *, inline: bool = False) -> aiosqlite.Row | None:
        """The first row of a read query, or None (`inline` as in `SqliteDatabase.read`)."""
        async with self.lock:
            return await self.db.fetch_one(sql, params, inline=inline)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE … COMMIT while holding the lock."""
        async with self.lock, self.db.transaction() as conn:
            yield conn

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work(conn)` as one transaction (`SqliteDatabase.write`), holding the lock."""
        async with self.lock:
            return await self.db.write(work)

    async def read(self, work: Callable[[sqlite3.Connection], T], *, inline: bool = False) -> T:
        """The read-only `work(conn)` (`SqliteDatabase.read`), holding the lock."""
        async with self.lock:
            return await self.db.read(work, inline=inline)


class SerialOutbox:
    """The servicekit SQLite outbox, taking the same lock."""

    def __init__(self, outbox: OutboxStore, lock: asyncio.Lock) -> None:
        self._outbox = outbox
        self._lock = lock

    async def fetch_pending(self, limit: int) -> list[OutboxItem]:
        """Oldest unpublished events first."""
        async with self._lock:
            return await self._outbox.fetch_pending(limit)

    async def mark_published(self, items: list[OutboxItem]) -> None:
        """Mark confirmed events."""
        async with self._lock:
            await self._outbox.mark_published(items)

    async def pending_count(self) -> int:
        """Unpublished events."""
        async with self._lock:
            return await self._outbox.pending_count()
