"""Clocks: the real one, optionally running faster for demos and tests, and a manual one for tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta


def _real_now() -> datetime:
    return datetime.now(UTC)


class Clock:
    """Virtual time = epoch + (real time − epoch) × speed; speed 1 is the plain real clock."""

    def __init__(self, speed: float = 1.0, epoch: datetime | None = None,
                 real_now: Callable[[], datetime] = _real_now) -> None:
        if speed <= 0:
            raise ValueError(f"clock speed must be positive, got {speed}")
        self.speed = speed
        self._real_now = real_now
        self.epoch = (epoch or real_now()).astimezone(UTC)

    def now(self) -> datetime:
        """The current virtual instant (UTC)."""
        return self.virtual(self._real_now())

    def virtual(self, real: datetime) -> datetime:
        """Map a real instant (e.g. an event's time) onto the virtual time line."""
        if self.speed == 1:
            return real.astimezone(UTC)
        return self.epoch + (real.astimezone(UTC) - self.epoch) * self.speed

    def real_seconds(self, virtual: timedelta) -> float:
        """How many real seconds a stretch of virtual time lasts."""
        return max(virtual.total_seconds(), 0.0) / self.speed


class ManualClock(Clock):
    """A clock that only moves when told to (tests)."""

    def __init__(self, start: datetime) -> None:
        self._at = start.astimezone(UTC)
        super().__init__(1.0, start, real_now=lambda: self._at)

    def set(self, at: datetime) -> None:
        """Jump to `at`."""
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        """Move forward by `delta`."""
        self._at += delta
