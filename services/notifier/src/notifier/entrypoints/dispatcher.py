"""The delivery loop: claim due notifications under a lease, attempt each, record the outcome."""

from __future__ import annotations

import asyncio
import logging

from notifier.adapters.clock import Clock
from notifier.domain.notifications import Notification, NotificationStatus
from notifier.metrics import NotifierMetrics
from notifier.notify import Delivery, attempt


class NotificationDispatcher:
    """One per replica; attempts run concurrently so a slow or failing receiver never blocks the others."""

    def __init__(self, delivery: Delivery, *, clock: Clock, metrics: NotifierMetrics, owner: str,
                 lease_s: float = 120.0, batch: int = 50, poll_s: float = 1.0, log: logging.Logger) -> None:
        self.delivery = delivery
        self.clock = clock
        self.metrics = metrics
        self.owner = owner
        self.lease_s = lease_s
        self.batch = batch
        self.poll_s = poll_s
        self._log = log
        self._stopping = False
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def tick(self) -> list[NotificationStatus | None]:
        """Claim one batch of due notifications and attempt them all; returns their outcomes."""
        claimed = await self.delivery.notifications.claim_due(
            self.clock.now(), self.owner, self.lease_s * self.clock.speed, self.batch)
        return list(await asyncio.gather(*(self._attempt(n) for n in claimed)))

    async def _attempt(self, n: Notification) -> NotificationStatus | None:
        try:
            return await attempt(self.delivery, n, clock=self.clock, lease_owner=self.owner, metrics=self.metrics)
        except Exception:
            self._log.exception("delivery attempt crashed; retried after its lease",
                                extra={"notification_id": n.notification_id, "case_id": n.case_id})
            return None

    async def run(self) -> None:
        """Loop until stopped."""
        while not self._stopping:
            try:
                full = len(await self.tick()) == self.batch
            except asyncio.CancelledError:
                raise
            except Exception:
                self._log.exception("delivery tick failed; retrying")
                full = False
            if not full:
                self._wakeup.clear()
                try:
                    await asyncio.wait_for(self._wakeup.wait(), timeout=self.poll_s)
                except TimeoutError:
                    pass

    def wake(self) -> None:
        """Look for due notifications now."""
        self._wakeup.set()

    def start(self) -> None:
        """Run in the background."""
        self._task = asyncio.create_task(self.run(), name=f"notification-dispatcher-{self.owner}")

    async def stop(self) -> None:
        """Stop; claimed but unattempted notifications are released by their lease running out."""
        self._stopping = True
        self._wakeup.set()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
