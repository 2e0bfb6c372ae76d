"""SLA timers: one warning or breach instant of one case deadline, and how a deadline becomes timers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from notifier.domain.calendar import Mode, WorkingCalendar
from notifier.domain.sla import reminder_times


class TimerKind(StrEnum):
    """What a timer does when it fires."""

    WARNING = "warning"
    BREACH = "breach"
    REMINDER = "reminder"  # an asset register's reminder, not a case deadline


class TimerStatus(StrEnum):
    """A timer's life: scheduled until it fires or its deadline stops applying."""

    SCHEDULED = "scheduled"
    FIRED = "fired"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Deadline:
    """One of a case's two deadlines: when its clock started, when it is due and how time is counted."""

    name: str  # "response" or "resolution"
    start: datetime
    due: datetime
    mode: Mode = Mode.CALENDAR


@dataclass(frozen=True)
class Timer:
    """A stored timer; its id is stable for the same deadline and instant, so re-planning keeps fired ones."""

    timer_id: str
    case_id: str
    community_id: str
    deadline: str
    kind: TimerKind
    fraction: float
    tier: int
    due_at: datetime
    deadline_at: datetime
    status: TimerStatus = TimerStatus.SCHEDULED
    lease_owner: str | None = None
    lease_until: datetime | None = None
    fired_at: datetime | None = None


def timer_id(case_id: str, deadline: str, kind: TimerKind, fraction: float, deadline_at: datetime) -> str:
    """The stable id of a timer: case, deadline, what it does and the deadline instant it belongs to."""
    stamp = deadline_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{case_id}:{deadline}:{kind.value}:{fraction:g}:{stamp}"


def plan_timers(
    *,
    case_id: str,
    community_id: str,
    tier: int,
    deadlines: list[Deadline],
    fractions: tuple[float, ...],
    calendar: WorkingCalendar,
) -> list[Timer]:
    """Warnings at the given fractions of each deadline's time and a breach at the deadline itself."""
    timers: list[Timer] = []
    for d in deadlines:
        moments = reminder_times(d.start, d.due, fractions, mode=d.mode, calendar=calendar) if d.due > d.start else ()
        points = [(TimerKind.WARNING, f, at) for f, at in zip(fractions, moments, strict=True)]
        points.append((TimerKind.BREACH, 1.0, d.due))
        for kind, fraction, at in points:
            timers.append(Timer(
                timer_id=timer_id(case_id, d.name, kind, fraction, d.due), case_id=case_id,
                community_id=community_id, deadline=d.name, kind=kind, fraction=fraction, tier=tier,
                due_at=at.astimezone(UTC), deadline_at=d.due.astimezone(UTC)))
    return timers
