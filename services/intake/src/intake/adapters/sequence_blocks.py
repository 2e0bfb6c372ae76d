"""Tracking numbers handed out from blocks reserved in the store: one store write per block, not per request."""

from __future__ import annotations

import asyncio
from typing import Protocol


class SequenceStore(Protocol):
    """The store's atomic day counter."""

    async def reserve_sequences(self, day: str, count: int) -> int:
        """Add `count` to the day's counter; return the block's last number."""
        ...


class SequenceBlocks:
    """Numbers of a civil day, unique across processes (each reserves its own blocks atomically).

    A process that stops leaves the rest of its block unused, so a day's numbers can have gaps; they are
    never reused. Numbers are increasing within one process, not across replicas.
    """

    def __init__(self, store: SequenceStore, *, block: int = 20) -> None:
        self._store = store
        self._block = block
        self._day = ""
        self._next = 1
        self._last = 0
        self._lock = asyncio.Lock()

    async def next(self, day: str) -> int:
        """The next unused number of `day`."""
        async with self._lock:
            if day != self._day or self._next > self._last:
                self._last = await self._store.reserve_sequences(day, self._block)
                self._next, self._day = self._last - self._block + 1, day
            number, self._next = self._next, self._next + 1
            return number
