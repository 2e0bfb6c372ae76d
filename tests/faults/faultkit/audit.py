"""A durable audit queue bound to every platform event, consumed in the background, deduplicated by event id."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

TESTS = "/tests/faults"  # the CloudEvents source of messages the tests publish themselves


@dataclass
class Seen:
    """One distinct event: its envelope, when it first arrived, and how many copies came."""

    envelope: dict[str, Any]
    routing_key: str
    body: bytes
    first_at: float
    order: int
    copies: int = 1

    @property
    def type(self) -> str:
        """The CloudEvents type."""
        return str(self.envelope.get("type", ""))

    @property
    def data(self) -> dict[str, Any]:
        """The payload."""
        return dict(self.envelope.get("data") or {})


@dataclass
class Audit:
    """Records every event published on `<prefix>.events`; survives broker restarts (quorum, persistent)."""

    url: str
    prefix: str
    events: dict[str, Seen] = field(default_factory=dict)
    unreadable: int = 0
    _task: asyncio.Task[None] | None = None
    _stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _consuming: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def queue_name(self) -> str:
        """The audit queue (deleted with the prefix)."""
        return f"{self.prefix}.faults-audit"

    async def start(self) -> None:
        """Consume the audit queue (declared before the platform started) until `stop`, reconnecting as needed."""
        self._task = asyncio.create_task(self._run(), name="faults-audit")
        await asyncio.wait_for(self._consuming.wait(), timeout=30)

    async def _run(self) -> None:
        # Our own reconnect loop rather than connect_robust: the audit must never silently stop listening.
        while not self._stopping.is_set():
            try:
                connection = await aio_pika.connect(self.url)
            except (OSError, aio_pika.exceptions.AMQPError):
                await asyncio.sleep(0.5)
                continue
            closed = asyncio.Event()
            connection.close_callbacks.add(lambda *_, done=closed: done.set())
            try:
                channel = await connection.channel()
                await channel.set_qos(prefetch_count=500)
                queue = await channel.declare_queue(self.queue_name, passive=True)
                await queue.consume(self._on_message)
                self._consuming.set()
                waiters = [asyncio.create_task(closed.wait()), asyncio.create_task(self._stopping.wait())]
                await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                for waiter in waiters:
                    waiter.cancel()
            except (TimeoutError, OSError, aio_pika.exceptions.AMQPError):
                await asyncio.sleep(0.5)
            finally:
                with contextlib.suppress(Exception):
                    await connection.close()

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            envelope = json.loads(message.body)
            event_id = str(envelope["id"])
        except (ValueError, KeyError, TypeError):
            self.unreadable += 1
            await message.ack()
            return
        seen = self.events.get(event_id)
        if seen is None:
            self.events[event_id] = Seen(envelope, message.routing_key or "", message.body, time.monotonic(),
                                         len(self.events))
        else:
            seen.copies += 1
        await message.ack()

    async def stop(self) -> None:
        """Stop consuming (the queue stays until the prefix is deleted)."""
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    def of_type(self, event_type: str) -> list[Seen]:
        """Distinct events of one type published by the platform (not by the tests), in arrival order."""
        return sorted((s for s in self.events.values() if s.type == event_type and not _published_by_tests(s)),
                      key=lambda s: s.order)

    def cases_by_request(self) -> dict[str, set[str]]:
        """Request id -> the distinct case ids a `case.routed.v1` put it in."""
        found: dict[str, set[str]] = defaultdict(set)
        for seen in self.of_type("case.routed.v1"):
            for request_id in seen.data.get("request_ids", []):
                found[request_id].add(seen.data["case_id"])
        return found

    def scheduled_cases(self) -> dict[str, float]:
        """Case id -> when its first `sla.scheduled.v1` arrived."""
        found: dict[str, float] = {}
        for seen in self.of_type("sla.scheduled.v1"):
            found.setdefault(seen.data["case_id"], seen.first_at)
        return found

    async def wait_quiet(self, quiet_s: float = 1.0, within: float = 30.0) -> None:
        """Return once no new event arrived for `quiet_s` (or after `within`)."""
        deadline = time.monotonic() + within
        count = -1
        while time.monotonic() < deadline and count != len(self.events):
            count = len(self.events)
            await asyncio.sleep(quiet_s)


def _published_by_tests(seen: Seen) -> bool:
    return str(seen.envelope.get("id", "")).startswith("poison-") or seen.envelope.get("source") == TESTS
