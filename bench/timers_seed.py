"""Seeding the notifier's store directly (not through the broker): open timers that are not due, and due ones.

Timers are built as the notifier's own `Timer` objects and stored in its own shapes (`timer_to_doc`):
in bulk for the not-due filler (one transaction / insert_many, so a million take seconds, not the
quarter of a million case events it would take through the broker), and through the repository's
`save_case` for the timers the scenario watches fire.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from notifier.adapters.documents import iso, timer_to_doc
from notifier.adapters.store import Store
from notifier.domain.case_clock import CaseClock, ClockStatus
from notifier.domain.timers import Timer, TimerKind, timer_id

COMMUNITIES = ("qc-jh-jh", "qc-jh-xh", "qc-sl-sl", "qc-sl-dq", "qc-wj-bh")
POINTS = (("response", TimerKind.WARNING, 0.8), ("response", TimerKind.BREACH, 1.0),
          ("resolution", TimerKind.WARNING, 0.5), ("resolution", TimerKind.WARNING, 0.8),
          ("resolution", TimerKind.BREACH, 1.0))
COLUMNS = ("timer_id", "case_id", "community_id", "deadline", "kind", "fraction", "tier", "due_at", "deadline_at",
           "status")


def make_timer(case_id: str, community: str, point: tuple[str, TimerKind, float], due_at: datetime) -> Timer:
    """One timer of a case's deadline, due at `due_at`."""
    deadline, kind, fraction = point
    deadline_at = due_at + timedelta(hours=1) if fraction < 1 else due_at
    return Timer(timer_id=timer_id(case_id, deadline, kind, fraction, deadline_at), case_id=case_id,
                 community_id=community, deadline=deadline, kind=kind, fraction=fraction, tier=1,
                 due_at=due_at, deadline_at=deadline_at)


def filler(n: int, now: datetime, *, tag: str, seed: int = 5) -> Iterator[Timer]:
    """n open timers, five per case, due between 35 days and a year and a month from now.

    (A seeded file is reused for a calendar month at most, bench/cache.py, so none of them falls due.)
    """
    rng = random.Random(seed)
    for i in range(n):
        case = i // len(POINTS)
        due = now + timedelta(days=35, seconds=rng.randrange(365 * 86400))
        yield make_timer(f"{tag}-{case}", COMMUNITIES[case % len(COMMUNITIES)], POINTS[i % len(POINTS)], due)


def _sqlite_row(t: Timer) -> tuple[Any, ...]:
    doc = timer_to_doc(t)
    return tuple(iso(doc[c]) if isinstance(doc[c], datetime) else doc[c] for c in COLUMNS)


async def bulk_insert(store: Store, timers: Iterator[Timer], chunk: int = 50_000) -> int:
    """Store timers as scheduled, in bulk; returns how many."""
    count = 0
    batch: list[Timer] = []

    async def flush() -> None:
        nonlocal count
        if store.sqlite is not None:
            sql = f"INSERT OR IGNORE INTO timers({', '.join(COLUMNS)}) VALUES ({', '.join('?' for _ in COLUMNS)})"
            async with store.sqlite.transaction() as conn:
                await conn.executemany(sql, [_sqlite_row(t) for t in batch])
        else:
            docs = [{"_id": t.timer_id, **timer_to_doc(t)} for t in batch]
            await store.timers.timers.insert_many(docs, ordered=False)  # type: ignore[attr-defined]
        count += len(batch)
        batch.clear()

    for timer in timers:
        batch.append(timer)
        if len(batch) >= chunk:
            await flush()
    if batch:
        await flush()
    return count


def _clock(case_id: str, community: str, now: datetime) -> CaseClock:
    return CaseClock(case_id=case_id, community_id=community, tier=1, policy="standard",
                     status=ClockStatus.RUNNING, updated_at=now, units=("u-bench",))


async def save_due(store: Store, dues: list[datetime], *, tag: str) -> list[str]:
    """Cases whose timers fall due at the given instants (five per case), saved through the repository."""
    now = datetime.now(UTC)
    case_ids = []
    for start in range(0, len(dues), len(POINTS)):
        case_id, community = f"{tag}-{start // len(POINTS)}", COMMUNITIES[start % len(COMMUNITIES)]
        points = zip(POINTS, dues[start:start + len(POINTS)], strict=False)
        timers = [make_timer(case_id, community, point, due) for point, due in points]
        await store.timers.save_case(_clock(case_id, community, now), timers=timers, events=[],
                                     event_id=f"bench-seed-{case_id}")
        case_ids.append(case_id)
    return case_ids


async def lags(store: Store, case_ids: list[str]) -> tuple[list[float], list[datetime]]:
    """Seconds from due to fired of every fired timer of these cases, and the fired instants."""
    late: list[float] = []
    fired: list[datetime] = []
    for case_id in case_ids:
        for t in await store.timers.timers_for_case(case_id):
            if t.fired_at is not None:
                late.append((t.fired_at - t.due_at).total_seconds())
                fired.append(t.fired_at)
    return late, fired
