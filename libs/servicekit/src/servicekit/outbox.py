"""The transactional outbox: events stored with the state change, relayed with publisher confirms."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Protocol

from servicekit.broker import EventPublisher


@dataclass(frozen=True)
class OutboxItem:
    """One stored, not yet published event."""

    event_id: str
    routing_key: str
    body: bytes
    ref: str = ""  # where it is stored (document id for MongoDB), opaque to the relay


class OutboxStore(Protocol):
    """What the relay needs from a service's repository."""

    async def fetch_pending(self, limit: int) -> list[OutboxItem]:
        """Oldest unpublished events first."""
        ...

    async def mark_published(self, items: list[OutboxItem]) -> None:
        """Forget events the broker confirmed."""
        ...

    async def pending_count(self) -> int:
        """How many events wait to be published."""
        ...


class OutboxRelay:
    """Moves outbox events to the broker; wakes on `wake()` or polls; backs off while the broker is away."""

    def __init__(self, store: OutboxStore, publisher: EventPublisher, *, log: logging.Logger,
                 poll_s: float = 0.5, batch: int = 200) -> None:
        self._store = store
        self._publisher = publisher
        self._log = log
        self._poll_s = poll_s
        self._batch = batch
        self._wakeup = asyncio.Event()
        self._stopping = False
        self.published = 0

    def wake(self) -> None:
        """Ask for a drain now (called after a write that added events)."""
        self._wakeup.set()

    async def drain_once(self) -> int:
        """Publish one batch, all in flight at once; mark the confirmed prefix; raise the first failure.

        The publishes are started in outbox order on one channel, which sends their frames in that order
        (aiormq serialises them under a FIFO lock), and then wait for their confirms together: one round
        trip per batch instead of one per event. Only the events before the first failure are marked
        published, so a failed event and everything after it go out again on the next attempt.
        """
        items = await self._store.fetch_pending(self._batch)
        if not items:
            return 0
        results = await asyncio.gather(
            *(self._publisher.publish_raw(body=i.body, key=i.routing_key, event_id=i.event_id) for i in items),
            return_exceptions=True)
        failure = next((r for r in results if isinstance(r, BaseException)), None)
        done = items[:results.index(failure)] if failure is not None else items
        if done:
            await self._store.mark_published(done)
            self.published += len(done)
        if isinstance(failure, asyncio.CancelledError):  # a publish cancelled under us, not this task
            raise ConnectionError("a publish was cancelled (channel closed?)") from failure
        if failure is not None:
            raise failure
        return len(done)

    async def run(self) -> None:
        """Loop until stopped."""
        backoff = self._poll_s
        while not self._stopping:
            try:
                published = await self.drain_once()
                backoff = self._poll_s
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._log.warning("outbox relay cannot publish yet", extra={"error": str(exc)[:300]})
                published = 0
                backoff = min(backoff * 2, 5.0)
            if published == 0:
                self._wakeup.clear()
                try:
                    await asyncio.wait_for(self._wakeup.wait(), timeout=backoff)
                except TimeoutError:
                    pass

    async def stop(self, flush_timeout: float = 5.0) -> None:
        """Stop the loop after one last attempt to flush what is pending."""
        self._stopping = True
        self._wakeup.set()
        try:
            await asyncio.wait_for(self.drain_once(), timeout=flush_timeout)
        except Exception as exc:
            self._log.warning("outbox not fully flushed at stop; it will be published at next start",
                              extra={"error": str(exc)[:300]})


class OutboxBacklog:
    """How many events wait in the outbox, counted at most once per `refresh_s` plus what was added since.

    Used to refuse new work while the broker is away and the outbox already holds `limit` events: the store
    is asked once a second, not on every request, and the writes admitted in between are added to the count,
    so the limit is not overshot by a burst that arrives between two counts.
    """

    def __init__(self, store: OutboxStore, *, limit: int, refresh_s: float = 1.0, clock=time.monotonic) -> None:
        self._store = store
        self.limit = limit
        self._refresh_s = refresh_s
        self._clock = clock
        self._counted = 0
        self._added = 0
        self._counted_at = float("-inf")
        self._lock = asyncio.Lock()

    async def full(self) -> bool:
        """True when `limit` (> 0) events or more are pending."""
        if self.limit <= 0:
            return False
        async with self._lock:
            if self._clock() - self._counted_at >= self._refresh_s:
                self._counted, self._added = await self._store.pending_count(), 0
                self._counted_at = self._clock()
            return self._counted + self._added >= self.limit

    def added(self, events: int = 1) -> None:
        """Note events written since the last count."""
        self._added += events
