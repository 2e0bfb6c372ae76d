"""SqliteDatabase: whole transactions in one hand-over to the SQLite thread, reads, rollback and cancellation."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from servicekit.storage import sqlite as sqlite_module
from servicekit.storage.sqlite import SqliteDatabase

SCHEMA = ("CREATE TABLE IF NOT EXISTS items (name TEXT PRIMARY KEY, n INTEGER NOT NULL)",)


@pytest.fixture
async def db(tmp_path: Path):
    database = SqliteDatabase(tmp_path / "t.sqlite3")
    await database.open(SCHEMA)
    yield database
    await database.close()


async def test_a_write_function_commits_all_its_statements_and_returns_its_result(db: SqliteDatabase):
    def work(conn: sqlite3.Connection) -> int:
        conn.executemany("INSERT INTO items VALUES (?, ?)", [("a", 1), ("b", 2)])
        return conn.execute("SELECT SUM(n) FROM items").fetchone()[0]

    assert await db.write(work) == 3
    rows = await db.fetch_all("SELECT name, n FROM items ORDER BY name")
    assert [(r["name"], r["n"]) for r in rows] == [("a", 1), ("b", 2)]
    assert (await db.fetch_one("SELECT n FROM items WHERE name = ?", ("b",)))["n"] == 2


async def test_a_failing_write_function_leaves_nothing_and_the_connection_usable(db: SqliteDatabase):
    def work(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO items VALUES ('a', 1)")
        conn.execute("INSERT INTO items VALUES ('a', 2)")  # primary key violated

    with pytest.raises(sqlite3.IntegrityError):
        await db.write(work)
    assert await db.fetch_all("SELECT * FROM items") == []
    await db.write(lambda conn: conn.execute("INSERT INTO items VALUES ('c', 3)"))
    async with db.transaction() as conn:  # the statement-by-statement form still works after it
        await conn.execute("INSERT INTO items VALUES ('d', 4)")
    assert [r["name"] for r in await db.fetch_all("SELECT name FROM items ORDER BY name")] == ["c", "d"]


async def test_a_write_waits_in_the_thread_while_another_process_holds_the_lock(db: SqliteDatabase):
    other = sqlite3.connect(db.path, isolation_level=None)  # another process's connection to the same file
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO items VALUES ('other', 0)")
    writing = asyncio.create_task(db.write(lambda conn: conn.execute("INSERT INTO items VALUES ('mine', 1)")))
    await asyncio.sleep(0.2)
    assert not writing.done()  # waiting for the lock, and the event loop still runs meanwhile
    other.execute("COMMIT")
    other.close()
    await asyncio.wait_for(writing, timeout=5)
    assert [r["name"] for r in await db.fetch_all("SELECT name FROM items ORDER BY name")] == ["mine", "other"]


async def test_a_cancelled_caller_does_not_cut_a_write_in_half(db: SqliteDatabase):
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # sends the write to the thread, where it waits and can be cancelled

    def two_rows(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO items VALUES ('x', 1)")
        conn.execute("INSERT INTO items VALUES ('y', 2)")

    task = asyncio.create_task(db.write(two_rows))
    await asyncio.sleep(0.1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    other.execute("COMMIT")
    other.close()
    await db.write(lambda conn: conn.execute("INSERT INTO items VALUES ('z', 3)"))
    assert [r["name"] for r in await db.fetch_all("SELECT name FROM items ORDER BY name")] == ["x", "y", "z"]


async def _wal_frames_after(db: SqliteDatabase, writes: int) -> int:
    for i in range(writes):
        await db.write(lambda conn, i=i: conn.execute("INSERT INTO items VALUES (?, ?)", (f"w{i:04d}", i)))
        await asyncio.sleep(0)  # lets a started checkpoint run
    if db._checkpointing is not None:
        await db._checkpointing
    with sqlite3.connect(db.path) as probe:
        return probe.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]  # frames in the log


async def test_writes_on_the_loop_are_checkpointed_in_the_thread(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(sqlite_module, "CHECKPOINT_EVERY", 10**9)
    unchecked = SqliteDatabase(tmp_path / "a.sqlite3")
    await unchecked.open(SCHEMA)
    grown = await _wal_frames_after(unchecked, 120)
    await unchecked.close()
    monkeypatch.setattr(sqlite_module, "CHECKPOINT_EVERY", 10)
    checked = SqliteDatabase(tmp_path / "b.sqlite3")
    await checked.open(SCHEMA)
    kept = await _wal_frames_after(checked, 120)
    await checked.close()
    assert grown >= 120 and kept < 60, (grown, kept)


class _LockedFile:
    """Stands in for the loop's connection when another connection holds the file (hard to cause on demand)."""

    def execute(self, *args: object) -> None:
        busy = sqlite3.OperationalError("database is locked")
        busy.sqlite_errorcode = sqlite3.SQLITE_BUSY  # what SQLite's own error carries
        raise busy


async def test_an_inline_read_that_finds_the_file_locked_is_asked_again_in_the_thread(db: SqliteDatabase):
    await db.write(lambda conn: conn.execute("INSERT INTO items VALUES ('a', 1)"))
    loop_connection, db._inline = db._inline, _LockedFile()
    try:
        assert (await db.fetch_one("SELECT COUNT(*) FROM items", inline=True))[0] == 1
    finally:
        db._inline = loop_connection


async def test_an_inline_read_inside_a_transaction_sees_its_writes(db: SqliteDatabase):
    async with db.transaction() as conn:
        await conn.execute("INSERT INTO items VALUES ('t', 7)")
        row = await db.fetch_one("SELECT n FROM items WHERE name = ?", ("t",), inline=True)
        assert row is not None and row["n"] == 7
    assert (await db.fetch_one("SELECT n FROM items WHERE name = 't'", inline=True))["n"] == 7


async def test_reads_see_committed_writes_while_writes_interleave(db: SqliteDatabase):
    async def insert(i: int) -> None:
        await db.write(lambda conn: conn.execute("INSERT INTO items VALUES (?, ?)", (f"k{i:03d}", i)))

    await asyncio.gather(*(insert(i) for i in range(50)), *(db.fetch_all("SELECT * FROM items") for _ in range(20)))
    row = await db.fetch_one("SELECT COUNT(*), SUM(n) FROM items")
    assert tuple(row) == (50, sum(range(50)))
