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
        self._inline: sqlite3.Connection | None = None
        self._inline_commits = 0
        self._checkpointing: asyncio.Task[None] | None = None

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
        self._inline = _open_inline(self.path)

    async def close(self) -> None:
        """Close the connection."""
        if self._checkpointing is not None:
            await asyncio.gather(self._checkpointing, return_exceptions=True)
        if self._inline is not None:
            self._inline.close()
            self._inline = None
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
        """Run `work(conn)` as one IMMEDIATE transaction and return its result; it is committed or rolled back whole.

        It runs on the event loop's own connection when the write lock is free: a per-case transaction costs
        ~0.1–0.3 ms of SQLite, while handing it to aiosqlite's thread cost more than that in wake-ups (a queue
        put, a thread wake-up, a loop wake-up) on both threads. While the thread's connection is busy for
        this process (a transaction, a read, a checkpoint), or another process holds the lock (the loop's
        connection never waits for it), it goes to the thread as before. `work` runs synchronously on a raw
        sqlite3 connection and must not touch the event loop. A cancelled caller does not cut it short.
        """
        if self._inline is not None and not self._write_lock.locked():
            try:
                result = _atomically(self._inline, work)
            except sqlite3.OperationalError as exc:
                if not _locked(exc):
                    raise
                # another process is writing; the transaction was rolled back whole: wait in the thread
            else:
                self._after_inline_commit()
                return result
        async with self._write_lock:
            return await self._in_thread(_atomically, work)

    def _after_inline_commit(self) -> None:
        # The loop's connection never checkpoints (a checkpoint syncs the file); the thread does, now and then.
        self._inline_commits += 1
        if self._inline_commits >= CHECKPOINT_EVERY and self._checkpointing is None:
            self._inline_commits = 0
            self._checkpointing = asyncio.create_task(self._checkpoint())

    async def _checkpoint(self) -> None:
        # Holding the write lock sends writes to the thread meanwhile, queued behind the checkpoint: one that
        # raced it would leave the log not fully copied, and SQLite rewinds the log only after a complete one.
        try:
            async with self._write_lock:
                await self._in_thread(lambda conn: conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall())
        except (sqlite3.Error, ValueError):
            pass  # closed meanwhile, or busy: the next one catches up
        finally:
            self._checkpointing = None

    async def read(self, work: Callable[[sqlite3.Connection], T], *, inline: bool = False) -> T:
        """Run the read-only `work(conn)` inside the connection's thread in one hand-over.

        `inline=True` runs it on the event loop's connection instead, for small indexed reads (a row by key,
        a page of the outbox) that cost less than the hand-over; WAL readers never wait for a lock. Inside
        `transaction()` it stays on that transaction's connection, which sees the transaction's own writes.
        """
        if inline and self._inline is not None and not _IN_TRANSACTION.get():
            try:
                return work(self._inline)
            except sqlite3.OperationalError as exc:
                if not _locked(exc):
                    raise
                # rare for a WAL reader (another connection recovering the log, or an exclusive lock): the
                # thread's connection waits for it instead of the loop
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

    async def fetch_all(self, sql: str, params: Iterable[Any] = (), *, inline: bool = False) -> list[aiosqlite.Row]:
        """Run a read query and return every row (`inline` as in `read`)."""
        args = tuple(params)
        return await self.read(lambda conn: conn.execute(sql, args).fetchall(), inline=inline)

    async def fetch_one(self, sql: str, params: Iterable[Any] = (), *, inline: bool = False) -> aiosqlite.Row | None:
        """Run a read query and return the first row or None (`inline` as in `read`: a row by key)."""
        args = tuple(params)
        return await self.read(lambda conn: conn.execute(sql, args).fetchone(), inline=inline)

    async def ping(self) -> bool:
        """True when the database answers a trivial query."""
        row = await self.fetch_one("SELECT 1")
        return row is not None


CHECKPOINT_EVERY = 500  # inline commits between two checkpoints in the thread (SQLite's own default is ~1,000 pages)


def _locked(exc: sqlite3.OperationalError) -> bool:
    """SQLITE_BUSY or SQLITE_LOCKED, extended codes included ("database is locked")."""
    return (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _open_inline(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.row_factory = sqlite3.Row
    # busy_timeout 0: a lock held elsewhere answers at once instead of sleeping on the event loop.
    for pragma in ("synchronous=NORMAL", "busy_timeout=0", "foreign_keys=ON", "wal_autocheckpoint=0"):
        conn.execute(f"PRAGMA {pragma}")
    return conn


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
