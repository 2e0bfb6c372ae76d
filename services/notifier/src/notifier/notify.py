"""Use cases of notifications: who hears of an event, and one delivery attempt with retry or dead-letter."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from contracts.envelope import Envelope, new_event
from contracts.events.sla import NotificationFailed, NotificationSent
from notifier.adapters.channels.base import Channel, DeliveryError
from notifier.adapters.clock import Clock
from notifier.adapters.notification_repository import NotificationRepository
from notifier.domain.directory import Directory
from notifier.domain.messages import Message
from notifier.domain.notifications import (
    Audience,
    Endpoint,
    Notification,
    NotificationStatus,
    QuietHours,
    backoff,
    mask,
)
from notifier.domain.roster import DutyRoster
from notifier.ids import SOURCE, derived_id
from notifier.metrics import NotifierMetrics


@dataclass
class Delivery:
    """What notifying needs: records, channels, the directory, quiet hours and the retry policy."""

    notifications: NotificationRepository
    channels: Mapping[str, Channel]
    directory: Directory
    quiet: QuietHours
    roster: DutyRoster | None = None
    max_attempts: int = 5
    retry_base_s: float = 30.0
    retry_cap_s: float = 3600.0


def plan(*, cause: str, case_id: str | None, audience: Audience, recipients: list[tuple[str, Endpoint]],
         message: Message, now: datetime, quiet: QuietHours, urgent: bool = False,
         data: dict[str, object] | None = None) -> list[Notification]:
    """One notification per recipient endpoint; ids derive from the cause so a replay adds nothing."""
    at = quiet.next_allowed(now, audience=audience, urgent=urgent)
    return [Notification(
        notification_id=derived_id(cause, who, endpoint.channel, endpoint.address), case_id=case_id,
        audience=audience, recipient=who, endpoint=endpoint, template=message.template, title=message.title,
        text=message.text, created_at=now, next_attempt_at=at, urgent=urgent, data=dict(data or {}))
        for who, endpoint in recipients]


def unit_recipients(directory: Directory, units: list[str] | tuple[str, ...]) -> list[tuple[str, Endpoint]]:
    """Each unit's endpoints, named by unit id."""
    return [(unit, endpoint) for unit in dict.fromkeys(units) for endpoint in directory.reach(unit)]


def resident_recipients(endpoints: list[Endpoint]) -> list[tuple[str, Endpoint]]:
    """Residents are recorded by masked address only."""
    return [(mask(e.address), e) for e in endpoints]


async def attempt(delivery: Delivery, n: Notification, *, clock: Clock, lease_owner: str,
                  metrics: NotifierMetrics) -> NotificationStatus | None:
    """Send once; record sent, a retry after backoff, or the dead-letter record. None when the lease was lost."""
    now = clock.now()
    channel = delivery.channels.get(n.endpoint.channel)
    try:
        if channel is None:
            raise DeliveryError(f"channel {n.endpoint.channel} is not configured", permanent=True)
        await channel.send(n)
        outcome = replace(n, status=NotificationStatus.SENT, attempts=n.attempts + 1, sent_at=now, last_error=None)
    except DeliveryError as exc:
        attempts = n.attempts + 1
        dead = exc.permanent or attempts >= delivery.max_attempts
        wait = backoff(attempts, base_s=delivery.retry_base_s, cap_s=delivery.retry_cap_s) * clock.speed
        outcome = replace(n, attempts=attempts, last_error=str(exc)[:1000],
                          status=NotificationStatus.DEAD if dead else NotificationStatus.PENDING,
                          next_attempt_at=n.next_attempt_at if dead else now + wait)
    events = [_outcome_event(outcome, now)] if outcome.status is not NotificationStatus.PENDING else []
    if not await delivery.notifications.record_attempt(outcome, lease_owner=lease_owner, events=events):
        return None
    label = "retry" if outcome.status is NotificationStatus.PENDING else str(outcome.status)
    metrics.notifications.labels(n.endpoint.channel, label).inc()
    if outcome.status is NotificationStatus.DEAD:
        metrics.dead_letters.labels(n.endpoint.channel).inc()
    return outcome.status


def _outcome_event(n: Notification, now: datetime) -> Envelope:
    common = {"notification_id": n.notification_id, "case_id": n.case_id, "channel": n.endpoint.channel,
              "recipient": n.recipient, "template": n.template, "attempts": n.attempts, "occurred_at": now}
    data = (NotificationSent(**common) if n.status is NotificationStatus.SENT  # type: ignore[arg-type]
            else NotificationFailed(**common, error=n.last_error or "failed"))  # type: ignore[arg-type]
    return new_event(data, source=SOURCE, subject=n.case_id, now=now,
                     event_id=derived_id(n.notification_id, str(n.status)))
