"""SLA policies: durations, the policy book with its most-specific-wins lookup, deadlines and reminders."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from notifier.domain.calendar import Mode, WorkingCalendar

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s+(working\s+)?(minute|hour|day)s?\s*$", re.IGNORECASE)


class Unit(StrEnum):
    """The unit a duration is written in."""

    MINUTES = "minute"
    HOURS = "hour"
    DAYS = "day"


@dataclass(frozen=True)
class Duration:
    """A deadline's length and how it is counted: '30 minutes' (elapsed) or '2 working days'."""

    amount: float
    unit: Unit
    mode: Mode = Mode.CALENDAR

    def __post_init__(self) -> None:
        if not self.amount > 0:
            raise ValueError(f"a duration must be positive, got {self.amount}")

    @classmethod
    def parse(cls, text: str) -> Duration:
        """Parse '30 minutes', '12 hours', '1 day', '4 working hours', '2 working days'."""
        match = _DURATION.match(str(text))
        if not match:
            raise ValueError(f"expected e.g. '30 minutes', '24 hours' or '2 working days', got {text!r}")
        amount, working, unit = match.groups()
        return cls(float(amount), Unit(unit.lower()), Mode.WORKING if working else Mode.CALENDAR)

    def length(self, calendar: WorkingCalendar) -> timedelta:
        """The duration as a timedelta; a working day is the calendar's working-day length, not 24 h."""
        if self.unit is Unit.MINUTES:
            return timedelta(minutes=self.amount)
        if self.unit is Unit.HOURS:
            return timedelta(hours=self.amount)
        day = calendar.working_day if self.mode is Mode.WORKING else timedelta(days=1)
        return day * self.amount

    def __str__(self) -> str:
        amount = f"{self.amount:g}"
        working = "working " if self.mode is Mode.WORKING else ""
        return f"{amount} {working}{self.unit.value}{'' if amount == '1' else 's'}"


@dataclass(frozen=True)
class SlaPolicy:
    """A named pair of deadlines and when to remind the assignee (fractions of the time allowed)."""

    name: str
    response: Duration
    resolution: Duration
    reminders_at: tuple[float, ...] = (0.5, 0.8)

    def __post_init__(self) -> None:
        fractions = tuple(self.reminders_at)
        if any(not 0 < f < 1 for f in fractions) or list(fractions) != sorted(set(fractions)):
            raise ValueError(f"reminders_at must be increasing fractions between 0 and 1, got {fractions}")
        object.__setattr__(self, "reminders_at", fractions)


@dataclass(frozen=True)
class Scope:
    """Which cases a rule applies to; a field left None matches anything."""

    tier: int | None = None
    sub_category: str | None = None
    category_class: str | None = None
    community_id: str | None = None
    district_id: str | None = None

    def matches(self, case: Scope) -> bool:
        """True when every field this scope sets equals the case's."""
        return all(mine is None or mine == getattr(case, name) for name, mine in self._items())

    @property
    def specificity(self) -> tuple[bool, ...]:
        """Ordering key: what the case is (tier, sub-category, class) first, then where (community, district)."""
        return tuple(value is not None for _, value in self._items())

    def _items(self) -> list[tuple[str, object]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]

    def __str__(self) -> str:
        return ", ".join(f"{name}={v}" for name, v in self._items() if v is not None) or "(everything)"


@dataclass(frozen=True)
class PolicyRule:
    """A scope and the policy that applies within it."""

    scope: Scope
    policy: SlaPolicy


class PolicyBook:
    """The SLA rules of a deployment; the matching rule with the highest specificity wins."""

    def __init__(self, rules: Iterable[PolicyRule]) -> None:
        self.rules = sorted(rules, key=lambda r: r.scope.specificity, reverse=True)
        scopes = [r.scope for r in self.rules]
        duplicate = next((s for i, s in enumerate(scopes) if s in scopes[:i]), None)
        if duplicate is not None:
            raise ValueError(f"two rules have the same scope: {duplicate}")
        if Scope() not in scopes:
            raise ValueError("no default rule: add one with an empty match")
        self._by_name = {r.policy.name: r.policy for r in self.rules}

    def policy_for(
        self,
        *,
        category_class: str | None,
        sub_category: str | None,
        tier: int | None,
        district_id: str | None,
        community_id: str | None,
    ) -> SlaPolicy:
        """The policy of the most specific rule matching this case (the default rule matches all)."""
        case = Scope(tier, sub_category, category_class, community_id, district_id)
        return next(r.policy for r in self.rules if r.scope.matches(case))

    def policy_named(self, name: str) -> SlaPolicy:
        """The policy with this name (as carried in events); KeyError when unknown."""
        return self._by_name[name]


class Deadlines(NamedTuple):
    """When a case must be answered and when it must be resolved."""

    response_due: datetime
    resolution_due: datetime


def deadlines_for(policy: SlaPolicy, start: datetime, calendar: WorkingCalendar) -> Deadlines:
    """The response and resolution due instants for a case that started at `start`."""
    def due(duration: Duration) -> datetime:
        return calendar.deadline(start, duration.length(calendar), duration.mode)

    return Deadlines(due(policy.response), due(policy.resolution))


def reminder_times(
    start: datetime,
    due: datetime,
    fractions: Sequence[float],
    *,
    mode: Mode | str = Mode.CALENDAR,
    calendar: WorkingCalendar | None = None,
) -> tuple[datetime, ...]:
    """Instants at the given fractions of the time from `start` to `due`, in elapsed or working time."""
    if Mode(mode) is Mode.CALENDAR:
        return tuple((start.astimezone(UTC) + (due - start) * f).astimezone(start.tzinfo) for f in fractions)
    if calendar is None:
        raise ValueError("working-time reminders need the calendar")
    allowed = calendar.working_time_between(start, due)
    return tuple(calendar.add_working_time(start, allowed * f) for f in fractions)
