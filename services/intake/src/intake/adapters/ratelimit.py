"""In-process sliding-window rate limits per client address and per phone (keyed hash)."""

from __future__ import annotations

import math
from collections import deque


class RateLimiter:
    """At most `limit` hits per `window_s` per key; one instance per process (documented limitation)."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit = limit
        self.window_s = window_s
        self._hits: dict[str, deque[float]] = {}

    def wait(self, key: str, now: float) -> int:
        """Seconds to wait before this key may hit again (0 when it may now)."""
        if self.limit <= 0:
            return 0
        hits = self._hits.get(key)
        if hits is None:
            return 0
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(hits) >= self.limit:
            return max(1, math.ceil(hits[0] + self.window_s - now))
        return 0

    def hit(self, key: str, now: float) -> None:
        """Count one submission."""
        if self.limit <= 0:
            return
        self._hits.setdefault(key, deque()).append(now)
        if len(self._hits) > 100_000:  # forget idle keys so memory stays bounded
            self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - self.window_s}
