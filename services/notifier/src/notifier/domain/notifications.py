"""Notifications: what goes to whom on which channel, quiet hours for residents, retry backoff."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHANNELS = ("webhook", "email", "wecom", "dingtalk", "sms")


class Audience(StrEnum):
    """Who a notification is for; residents get quiet hours."""

    STAFF = "staff"
    DEPARTMENT = "department"
    RESIDENT = "resident"


class NotificationStatus(StrEnum):
    """Pending until delivered (sent) or given up after its retries (dead: the dead-letter record)."""

    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


@dataclass(frozen=True)
class Endpoint:
    """Where one recipient is reached: a channel and its address (URL, e-mail, phone)."""

    channel: str
    address: str

    def __post_init__(self) -> None:
        if self.channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.channel!r}; known: {', '.join(CHANNELS)}")


@dataclass(frozen=True)
class Notification:
    """One message to one endpoint, with its delivery record."""

    notification_id: str
    case_id: str | None
    audience: Audience
    recipient: str  # unit id or a masked address, never a clear phone number
    endpoint: Endpoint
    template: str
    title: str
    text: str
    created_at: datetime
    next_attempt_at: datetime
    urgent: bool = False
    data: dict[str, Any] = field(default_factory=dict)
    status: NotificationStatus = NotificationStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    sent_at: datetime | None = None


@dataclass(frozen=True)
class QuietHours:
    """Residents are not disturbed in this nightly window (civil time), except for urgent safety notices."""

    start: time = time(22, 0)
    end: time = time(7, 0)
    tz: ZoneInfo = SHANGHAI

    def contains(self, at: datetime) -> bool:
        """True when `at` lies in the quiet window (start inclusive, end exclusive)."""
        clock = at.astimezone(self.tz).time()
        if self.start > self.end:
            return clock >= self.start or clock < self.end
        return self.start <= clock < self.end

    def next_allowed(self, at: datetime, *, audience: Audience, urgent: bool) -> datetime:
        """The earliest instant a notification may go out: `at`, or the end of the quiet window."""
        if audience is not Audience.RESIDENT or urgent or not self.contains(at):
            return at
        local = at.astimezone(self.tz)
        end = datetime.combine(local.date(), self.end, tzinfo=self.tz)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.end, tzinfo=self.tz)
        return end.astimezone(UTC)


def backoff(attempts: int, *, base_s: float = 30.0, cap_s: float = 3600.0) -> timedelta:
    """Delay before the next attempt after `attempts` failures: base × 2^(attempts−1), capped."""
    return timedelta(seconds=min(base_s * 2 ** max(attempts - 1, 0), cap_s))


def mask(address: str) -> str:
    """An address fit for records and events: 138****5678, w***@example.com, URLs cut to their host."""
    if "@" in address and "://" not in address:
        name, domain = address.split("@", 1)
        return f"{name[:1]}***@{domain}"
    if "://" in address:
        return address.split("://", 1)[1].split("/", 1)[0]
    digits = address.strip()
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else "****"
