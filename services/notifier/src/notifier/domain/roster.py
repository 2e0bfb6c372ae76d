"""The off-hours duty roster: which unit of a community or street is on duty at a given instant."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

from notifier.domain.calendar import WorkingCalendar


@dataclass(frozen=True)
class DutyWindow:
    """The nightly off-hours window on working days, in civil time; it may span midnight."""

    start: time = time(17, 0)
    end: time = time(8, 30)

    def __post_init__(self) -> None:
        if self.start == self.end or self.start.tzinfo or self.end.tzinfo:
            raise ValueError(f"duty window needs two different naive times, got {self.start}–{self.end}")

    def contains(self, clock: time) -> bool:
        """True when the civil time of day lies in the window (start inclusive, end exclusive)."""
        if self.start > self.end:
            return clock >= self.start or clock < self.end
        return self.start <= clock < self.end


@dataclass(frozen=True)
class Rota:
    """One community's or street's duty plan: by date first, then weekday (0 = Monday), then default."""

    dates: Mapping[date, str] = field(default_factory=dict)
    weekdays: Mapping[int, str] = field(default_factory=dict)
    default: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "dates", MappingProxyType(dict(self.dates)))
        object.__setattr__(self, "weekdays", MappingProxyType(dict(self.weekdays)))
        if any(not 0 <= day <= 6 for day in self.weekdays):
            raise ValueError(f"weekdays are 0 (Monday) to 6 (Sunday), got {sorted(self.weekdays)}")

    def unit_for(self, duty_date: date) -> str | None:
        """The unit on duty for the shift that belongs to `duty_date`, if the rota says."""
        return self.dates.get(duty_date) or self.weekdays.get(duty_date.weekday()) or self.default


class DutyRoster:
    """Duty rotas per community and per street; the community's rota is asked first."""

    def __init__(
        self,
        *,
        calendar: WorkingCalendar,
        communities: Mapping[str, Rota] | None = None,
        streets: Mapping[str, Rota] | None = None,
        window: DutyWindow | None = None,
    ) -> None:
        self.calendar = calendar
        self.communities = dict(communities or {})
        self.streets = dict(streets or {})
        self.window = window or DutyWindow()

    def is_off_hours(self, at: datetime) -> bool:
        """True in the nightly window and all day on weekends and holidays (make-up days are working days)."""
        local = self._local(at)
        return self.window.contains(local.time()) or not self.calendar.is_working_day(local.date())

    def duty_date(self, at: datetime) -> date:
        """The date whose shift covers `at`: a night shift runs from one window end to the next (02:00 → yesterday)."""
        local, end = self._local(at), self.window.end
        if self.window.start < end:
            return local.date()
        return (local - timedelta(hours=end.hour, minutes=end.minute, seconds=end.second)).date()

    def on_duty(self, *, community_id: str | None, street_id: str | None, at: datetime) -> str | None:
        """The unit on duty for this place at `at`; None in working time or when no rota names one."""
        if not self.is_off_hours(at):
            return None
        duty_date = self.duty_date(at)
        for rota in (self.communities.get(community_id or ""), self.streets.get(street_id or "")):
            unit = rota.unit_for(duty_date) if rota else None
            if unit:
                return unit
        return None

    def _local(self, at: datetime) -> datetime:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"datetime must be timezone-aware, got {at!r}")
        return at.astimezone(self.calendar.tz)
