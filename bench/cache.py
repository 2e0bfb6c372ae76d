"""Seeded SQLite files kept between runs (var/bench-cache), keyed by the code that decides their content.

Seeding a million timers or rollup rows takes a minute or more on two busy cores and measures nothing;
a file built by the same seeding code, schema and domain code is reused (copied, since a run changes it).
Any change to those sources, or `make clean`, builds it again.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "var" / "bench-cache"


def fingerprint(sources: list[Path], *params: object) -> str:
    """A short hash of the sources' bytes and the parameters."""
    digest = hashlib.sha256(repr(params).encode())
    for path in sorted(sources):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def seeded_copy(name: str, sources: list[Path], params: tuple[object, ...], build: Callable[[Path], None],
                target: Path) -> bool:
    """Copy the cached seed to `target`, building it first when missing; True when it came from the cache."""
    cached = CACHE / f"{name}-{fingerprint(sources, *params)}.sqlite3"
    hit = cached.exists()
    if not hit:
        CACHE.mkdir(parents=True, exist_ok=True)
        for stale in CACHE.glob(f"{name}-*.sqlite3"):
            stale.unlink()
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            fresh = Path(tmp) / "seed.sqlite3"
            build(fresh)
            with sqlite3.connect(fresh) as db:  # fold the WAL in, so the one file is the whole database
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            fresh.replace(cached)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, target)
    return hit
