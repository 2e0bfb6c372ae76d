"""The outbox relay without a broker: batches in flight together, in order, and only confirmed ones marked."""

import asyncio
import logging

import pytest

from servicekit.outbox import OutboxItem, OutboxRelay

LOG = logging.getLogger("test")


class FakeStore:
    """Pending items in order; remembers what was marked published."""

    def __init__(self, n: int) -> None:
        self.pending = [OutboxItem(f"e{i}", "request.submitted.v1", b"{}") for i in range(n)]
        self.marked: list[str] = []

    async def fetch_pending(self, limit: int) -> list[OutboxItem]:
        return self.pending[:limit]

    async def mark_published(self, items: list[OutboxItem]) -> None:
        ids = {i.event_id for i in items}
        self.marked += [i.event_id for i in items]
        self.pending = [i for i in self.pending if i.event_id not in ids]

    async def pending_count(self) -> int:
        return len(self.pending)


class FakePublisher:
    """Confirms after a short delay; fails the event ids it is told to; records send order and concurrency."""

    def __init__(self, fail: set[str] | None = None) -> None:
        self.fail = fail or set()
        self.sent: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def publish_raw(self, *, body: bytes, key: str, event_id: str) -> None:
        self.sent.append(event_id)
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            if event_id in self.fail:
                raise ConnectionError(f"no confirm for {event_id}")
        finally:
            self.in_flight -= 1


async def test_a_batch_is_sent_in_outbox_order_with_every_publish_in_flight_at_once():
    store, publisher = FakeStore(50), FakePublisher()
    relay = OutboxRelay(store, publisher, log=LOG, batch=20)  # type: ignore[arg-type]

    assert await relay.drain_once() == 20
    assert publisher.sent == [f"e{i}" for i in range(20)]
    assert publisher.most_in_flight == 20
    assert store.marked == [f"e{i}" for i in range(20)]
    assert await store.pending_count() == 30


async def test_only_the_events_before_the_first_failure_are_marked_and_the_failure_is_raised():
    store, publisher = FakeStore(10), FakePublisher(fail={"e4", "e7"})
    relay = OutboxRelay(store, publisher, log=LOG, batch=10)  # type: ignore[arg-type]

    with pytest.raises(ConnectionError, match="e4"):
        await relay.drain_once()
    assert store.marked == ["e0", "e1", "e2", "e3"]
    assert relay.published == 4
    publisher.fail.clear()
    assert await relay.drain_once() == 6
    assert store.marked == [f"e{i}" for i in range(10)]


async def test_an_empty_outbox_publishes_nothing():
    store, publisher = FakeStore(0), FakePublisher()
    relay = OutboxRelay(store, publisher, log=LOG)  # type: ignore[arg-type]

    assert await relay.drain_once() == 0
    assert publisher.sent == []


class _CountingStore:
    def __init__(self, pending: int) -> None:
        self.pending, self.counts = pending, 0

    async def pending_count(self) -> int:
        self.counts += 1
        return self.pending


async def test_the_backlog_is_full_at_the_limit_counting_writes_admitted_between_two_counts():
    from servicekit.outbox import OutboxBacklog

    now = [0.0]
    store = _CountingStore(pending=17)
    backlog = OutboxBacklog(store, limit=20, refresh_s=1.0, clock=lambda: now[0])
    admitted = 0
    while not await backlog.full():
        backlog.added()
        admitted += 1
    assert admitted == 3 and store.counts == 1  # 17 stored + 3 admitted reach the limit without a recount
    store.pending = 5  # the relay caught up
    now[0] = 1.5
    assert not await backlog.full() and store.counts == 2


async def test_a_backlog_without_a_limit_never_asks_the_store():
    from servicekit.outbox import OutboxBacklog

    store = _CountingStore(pending=10**6)
    assert not await OutboxBacklog(store, limit=0).full()
    assert store.counts == 0
