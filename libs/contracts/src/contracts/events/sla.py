"""Events published by the notifier: deadlines, warnings, breaches, reminders, notifications."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from contracts.envelope import EventData


class SlaScheduled(EventData):
    """A case's deadlines were set or moved."""

    event_type: ClassVar[str] = "sla.scheduled.v1"

    case_id: str
    community_id: str
    tier: int = Field(ge=1, le=4)
    sla_policy: str
    response_due: AwareDatetime | None = None
    resolution_due: AwareDatetime | None = None
    scheduled_at: AwareDatetime


class SlaWarning(EventData):
    """A deadline is near (e.g. 50 % or 80 % of the time used)."""

    event_type: ClassVar[str] = "sla.warning.v1"

    case_id: str
    community_id: str
    deadline: str = Field(description="response or resolution")
    due_at: AwareDatetime
    fraction: float
    tier: int = Field(ge=1, le=4)
    warned_at: AwareDatetime


class SlaBreached(EventData):
    """A deadline passed without the response or resolution it asked for."""

    event_type: ClassVar[str] = "sla.breached.v1"

    case_id: str
    community_id: str
    deadline: str = Field(description="response or resolution")
    due_at: AwareDatetime
    tier: int = Field(ge=1, le=4)
    breached_at: AwareDatetime


class ReminderDue(EventData):
    """A scheduled proactive reminder (未诉先办), e.g. an elevator's annual inspection."""

    event_type: ClassVar[str] = "reminder.due.v1"

    reminder_id: str
    asset_id: str
    kind: str
    title: str
    community_id: str
    due_date: AwareDatetime
    unit_ids: list[str] = Field(default_factory=list)
    raised_at: AwareDatetime


class NotificationOutcome(EventData):
    """Base of notification results: what went to whom on which channel."""

    notification_id: str
    case_id: str | None = None
    channel: str
    recipient: str = Field(description="unit id or masked address; never a clear phone number")
    template: str
    attempts: int = Field(ge=1)
    occurred_at: AwareDatetime


class NotificationSent(NotificationOutcome):
    """A notification was delivered."""

    event_type: ClassVar[str] = "notification.sent.v1"


class NotificationFailed(NotificationOutcome):
    """A notification could not be delivered after its retries."""

    event_type: ClassVar[str] = "notification.failed.v1"

    error: str = Field(max_length=1000)
