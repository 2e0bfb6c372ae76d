"""A case's SLA clock: its deadlines and how each lifecycle event moves, pauses or stops them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from notifier.domain.calendar import Mode, WorkingCalendar
from notifier.domain.sla import Duration, PolicyBook, SlaPolicy
from notifier.domain.timers import Deadline, Timer, plan_timers

# Statuses (carried by case transitions) in which the case waits for the resident: the clock stops.
PAUSE_STATUSES = frozenset({"waiting_resident", "paused", "suspended", "on_hold"})
STOP_TYPES = frozenset({"case.resolved.v1", "case.closed.v1", "case.cancelled.v1"})


class ClockStatus(StrEnum):
    """Whether a case's deadlines are counting."""

    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


@dataclass(frozen=True)
class SlaRules:
    """What deadlines are computed with: the policy book and the working calendar."""

    book: PolicyBook
    calendar: WorkingCalendar


@dataclass(frozen=True)
class CaseClock:
    """Everything the notifier keeps about one case; `version` guards concurrent writers."""

    case_id: str
    community_id: str
    tier: int
    policy: str
    status: ClockStatus
    category_class: str | None = None
    sub_category: str | None = None
    street_id: str | None = None
    district_id: str | None = None
    compound_id: str | None = None
    grid_id: str | None = None
    response: Deadline | None = None
    resolution: Deadline | None = None
    reminders_at: tuple[float, ...] = (0.5, 0.8)
    paused_at: datetime | None = None
    updated_at: datetime | None = None
    units: tuple[str, ...] = ()  # the assignees, told when a deadline nears
    emergency: bool = False
    version: int = 0

    def timers(self, calendar: WorkingCalendar) -> list[Timer]:
        """The timers that should be scheduled now: none unless the clock runs."""
        if self.status is not ClockStatus.RUNNING:
            return []
        deadlines = [d for d in (self.response, self.resolution) if d is not None]
        return plan_timers(case_id=self.case_id, community_id=self.community_id, tier=self.tier,
                           deadlines=deadlines, fractions=self.reminders_at, calendar=calendar)


def policy_of(case: CaseClock, rules: SlaRules) -> SlaPolicy:
    """The policy that applies to the case as it stands (category, tier, place)."""
    return rules.book.policy_for(category_class=case.category_class, sub_category=case.sub_category,
                                 tier=case.tier, district_id=case.district_id, community_id=case.community_id)


def deadline(name: str, duration: Duration, start: datetime, calendar: WorkingCalendar) -> Deadline:
    """One deadline of `duration` counted from `start`."""
    return Deadline(name, start, calendar.deadline(start, duration.length(calendar), duration.mode), duration.mode)


def restart(case: CaseClock, rules: SlaRules, *, at: datetime, response: bool = True,
            resolution: bool = True) -> CaseClock:
    """Re-pick the policy and restart the chosen deadlines at `at`; the clock runs again."""
    policy = policy_of(case, rules)
    changes: dict[str, object] = {"policy": policy.name, "reminders_at": policy.reminders_at,
                                  "status": ClockStatus.RUNNING, "paused_at": None, "updated_at": at}
    if response:
        changes["response"] = deadline("response", policy.response, at, rules.calendar)
    if resolution:
        changes["resolution"] = deadline("resolution", policy.resolution, at, rules.calendar)
    return replace(case, **changes)  # type: ignore[arg-type]


def pause(case: CaseClock, *, at: datetime) -> CaseClock:
    """Stop counting while the case waits for the resident."""
    return replace(case, status=ClockStatus.PAUSED, paused_at=at, updated_at=at)


def resume(case: CaseClock, rules: SlaRules, *, at: datetime) -> CaseClock:
    """Count again: each open deadline moves later by the time spent paused (in its own mode)."""
    if case.status is not ClockStatus.PAUSED or case.paused_at is None:
        return case
    paused_at, cal = case.paused_at, rules.calendar

    def shifted(d: Deadline | None) -> Deadline | None:
        if d is None or d.due <= paused_at:
            return d
        if Mode(d.mode) is Mode.WORKING:
            return replace(d, due=cal.add_working_time(at, cal.working_time_between(paused_at, d.due)))
        return replace(d, due=at + (d.due - paused_at))

    return replace(case, status=ClockStatus.RUNNING, paused_at=None, updated_at=at,
                   response=shifted(case.response), resolution=shifted(case.resolution))


def stop(case: CaseClock, *, at: datetime) -> CaseClock:
    """The case is resolved, closed or cancelled: no timer runs any more."""
    return replace(case, status=ClockStatus.STOPPED, paused_at=None, updated_at=at)


def paused_for(case: CaseClock, *, at: datetime) -> timedelta:
    """How long the clock has been paused at `at` (zero when it runs)."""
    return at - case.paused_at if case.paused_at else timedelta(0)
