"""SqliteDatabase: whole transactions in one hand-over to the SQLite thread, reads, rollback and cancellation."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

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


async def test_a_cancelled_caller_does_not_cut_a_write_in_half(db: SqliteDatabase):
    started = asyncio.Event()
    loop = asyncio.get_running_loop()

    def slow(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO items VALUES ('x', 1)")
        loop.call_soon_threadsafe(started.set)
        conn.execute("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < 300000) "
                      "SELECT COUNT(*) FROM r").fetchone()
        conn.execute("INSERT INTO items VALUES ('y', 2)")

    task = asyncio.create_task(db.write(slow))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await db.write(lambda conn: conn.execute("INSERT INTO items VALUES ('z', 3)"))
    assert [r["name"] for r in await db.fetch_all("SELECT name FROM items ORDER BY name")] == ["x", "y", "z"]


async def test_reads_see_committed_writes_while_writes_interleave(db: SqliteDatabase):
    async def insert(i: int) -> None:
        await db.write(lambda conn: conn.execute("INSERT INTO items VALUES (?, ?)", (f"k{i:03d}", i)))

    await asyncio.gather(*(insert(i) for i in range(50)), *(db.fetch_all("SELECT * FROM items") for _ in range(20)))
    row = await db.fetch_one("SELECT COUNT(*), SUM(n) FROM items")
    assert tuple(row) == (50, sum(range(50)))
