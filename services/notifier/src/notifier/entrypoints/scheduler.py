"""The timer scheduler: claim due timers under a lease, fire them, sleep until the next one is due."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from notifier.handlers import Deps, fire_timers


class TimerScheduler:
    """One per replica; replicas share the store and never fire the same timer twice.

    A claim leases timers for `lease_s` real seconds; a replica that dies holding leases leaves them
    to expire, and any replica then claims and fires them.
    """

    def __init__(self, deps: Deps, *, owner: str, lease_s: float = 60.0, batch: int = 100, poll_s: float = 1.0,
                 log: logging.Logger) -> None:
        self.deps = deps
        self.owner = owner
        self.lease_s = lease_s
        self.batch = batch
        self.poll_s = poll_s
        self.fired = 0
        self._log = log
        self._stopping = False
        self._wakeup = asyncio.Event()
        self._next_look: datetime | None = None  # while asleep: the virtual instant it looks again by itself
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> tuple[int, int]:
        """Claim one batch of due timers and fire them; returns (claimed, fired by this replica)."""
        clock = self.deps.clock
        claimed = await self.deps.timers.claim_due_timers(
            clock.now(), self.owner, self.lease_s * clock.speed, self.batch)
        fired = await fire_timers(self.deps, claimed, lease_owner=self.owner, log=self._log) if claimed else 0
        self.fired += fired
        return len(claimed), fired

    async def run(self) -> None:
        """Loop until stopped: repair, claim, fire; then wait for the next due time (at most `poll_s`)."""
        while not self._stopping:
            try:
                await self.deps.timers.repair()
                claimed, _ = await self.tick()
                wait = 0.0 if claimed == self.batch else await self._wait_s()
            except asyncio.CancelledError:
                raise
            except Exception:
                self._log.exception("scheduler tick failed; retrying")
                wait = self.poll_s
            if wait > 0:
                self._wakeup.clear()
                clock = self.deps.clock
                self._next_look = clock.now() + timedelta(seconds=wait * clock.speed)
                try:
                    await asyncio.wait_for(self._wakeup.wait(), timeout=wait)
                except TimeoutError:
                    pass
                self._next_look = None

    async def _wait_s(self) -> float:
        nxt = await self.deps.timers.next_due_at()
        if nxt is None:
            return self.poll_s
        until = self.deps.clock.real_seconds(nxt - self.deps.clock.now() + timedelta(milliseconds=1))
        return min(self.poll_s, max(until, 0.01))

    def wake(self) -> None:
        """Look for due timers now."""
        self._wakeup.set()

    def wake_for(self, due_at: datetime) -> None:
        """A timer due at `due_at` was stored: look now only if it falls due before the next look anyway."""
        if self._next_look is not None and due_at < self._next_look:
            self._wakeup.set()

    def start(self) -> None:
        """Run in the background."""
        self._task = asyncio.create_task(self.run(), name=f"timer-scheduler-{self.owner}")

    async def stop(self) -> None:
        """Stop after the current timer; unfired claims are released by their lease running out."""
        self._stopping = True
        self._wakeup.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
