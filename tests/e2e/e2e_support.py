"""Helpers for system tests: bounded polling and a temporary event watcher."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika


async def eventually(probe: Callable[[], Awaitable[Any]], *, within: float = 60.0, every: float = 0.2) -> Any:
    """Call `probe` until it returns something truthy; fail with its last value after `within` seconds."""
    deadline = time.monotonic() + within
    last: Any = None
    while time.monotonic() < deadline:
        last = await probe()
        if last:
            return last
        await asyncio.sleep(every)
    raise AssertionError(f"condition not met within {within}s; last value: {last!r}")


class EventWatcher:
    """A temporary queue bound to the platform's events exchange that records every event it sees."""

    def __init__(self, url: str, exchange: str, keys: tuple[str, ...] = ("#",)) -> None:
        self.url, self.exchange, self.keys = url, exchange, keys
        self.events: list[dict[str, Any]] = []
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def __aenter__(self) -> EventWatcher:
        self._connection = await aio_pika.connect_robust(self.url)
        channel = await self._connection.channel()
        queue = await channel.declare_queue(f"watch-{uuid.uuid4().hex[:8]}", exclusive=True, auto_delete=True)
        for key in self.keys:
            await queue.bind(self.exchange, routing_key=key)
        await queue.consume(self._on_message, no_ack=True)
        return self

    async def _on_message(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        self.events.append(json.loads(message.body))

    async def __aexit__(self, *exc: object) -> None:
        if self._connection is not None:
            await self._connection.close()

    def of_type(self, event_type: str) -> list[dict[str, Any]]:
        """Payloads of the events of one type seen so far."""
        return [e["data"] for e in self.events if e["type"] == event_type]
