"""The embedded SQLite store: one file per service, WAL, one writer transaction at a time."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

T = TypeVar("T")

# Set while the current task holds the connection's write transaction, so its own reads do not wait on it.
_IN_TRANSACTION: contextvars.ContextVar[bool] = contextvars.ContextVar("sqlite_in_transaction", default=False)


class SqliteDatabase:
    """An aiosqlite connection with WAL and explicit IMMEDIATE transactions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._write_lock = asyncio.Lock()

    async def open(self, schema: Iterable[str] = ()) -> None:
        """Open the file (creating folders), switch to WAL and apply the schema statements."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = await aiosqlite.connect(self.path, isolation_level=None)
        self._conn.row_factory = aiosqlite.Row
        # WAL + NORMAL keeps every committed transaction across a killed process (not a power cut).
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=10000", "foreign_keys=ON"):
            await self._conn.execute(f"PRAGMA {pragma}")
        for statement in schema:
            await self._conn.execute(statement)

    async def close(self) -> None:
        """Close the connection."""
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @property
    def conn(self) -> aiosqlite.Connection:
        """The open connection."""
        if self._conn is None:
            raise RuntimeError("SQLite database is not open")
        return self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One atomic write: BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        async with self._write_lock:
            token = _IN_TRANSACTION.set(True)
            try:
                try:
                    await self.conn.execute("BEGIN IMMEDIATE")
                    yield self.conn
                except BaseException:
                    await self._rollback()
                    raise
                await self.conn.execute("COMMIT")
            finally:
                _IN_TRANSACTION.reset(token)

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run `work(conn)` as one IMMEDIATE transaction inside the connection's thread; return its result.

        One hand-over to the SQLite thread for the whole transaction, where `transaction()` costs one per
        statement plus BEGIN and COMMIT (each a queue put, a thread wake-up and a loop wake-up: ~tens of µs
        of CPU). `work` runs synchronously on the raw sqlite3 connection and must not touch the event loop.
        A cancelled caller does not cut it short: the thread finishes it, committed or rolled back whole.
        """
        async with self._write_lock:
            return await self._in_thread(_atomically, work)

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run the read-only `work(conn)` inside the connection's thread in one hand-over."""
        async with self._reading():
            return await self._in_thread(work)

    async def _in_thread(self, fn: Callable[..., T], *args: Any) -> T:
        # aiosqlite has no public "run this callable on the connection's thread"; _execute is that, and the
        # version is pinned in requirements.lock (servicekit's tests cover it).
        conn = self.conn
        return await conn._execute(fn, conn._conn, *args)

    async def _rollback(self) -> None:
        # A task cancelled while awaiting BEGIN still has it run in aiosqlite's thread; without this rollback
        # the connection stayed inside that transaction and every later BEGIN failed.
        try:
            await self.conn.execute("ROLLBACK")
        except sqlite3.OperationalError:
            pass  # BEGIN itself failed: nothing is open

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[None]:
        # A read that interleaves with another task's BEGIN IMMEDIATE on the same connection makes SQLite
        # answer "database is locked" at once when another process holds the write lock; serialise them.
        if _IN_TRANSACTION.get():
            yield
            return
        async with self._write_lock:
            yield

    async def fetch_all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        """Run a read query and return every row."""
        args = tuple(params)
        return await self.read(lambda conn: conn.execute(sql, args).fetchall())

    async def fetch_one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        """Run a read query and return the first row or None."""
        args = tuple(params)
        return await self.read(lambda conn: conn.execute(sql, args).fetchone())

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        row = await self.fetch_one("SELECT 1")
        return row is not None


def _atomically(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], T]) -> T:
    conn.execute("BEGIN IMMEDIATE")
    try:
        result = work(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return result
