"""The working calendar: working days (holidays, 调休), working hours and deadline arithmetic."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from types import MappingProxyType
from zoneinfo import ZoneInfo

log = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
_ONE_DAY = timedelta(days=1)
# A calendar that declares every day a holiday must not make the arithmetic loop for ever.
_MAX_SEARCH_DAYS = 3660


class Mode(StrEnum):
    """How a deadline's duration is counted."""

    CALENDAR = "calendar"
    WORKING = "working"


@dataclass(frozen=True)
class WorkingHours:
    """The daily working period in civil time, e.g. 08:30–17:00."""

    start: time = time(8, 30)
    end: time = time(17, 0)

    def __post_init__(self) -> None:
        if self.start.tzinfo or self.end.tzinfo or not self.start < self.end:
            raise ValueError(f"working hours must be naive times with start < end, got {self.start}–{self.end}")

    @property
    def length(self) -> timedelta:
        """The length of one working day in working time."""
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)


@dataclass(frozen=True)
class YearCalendar:
    """One year's exceptions to Mon–Fri: holidays and make-up working days, each with a name."""

    year: int
    holidays: Mapping[date, str] = field(default_factory=dict)
    workdays: Mapping[date, str] = field(default_factory=dict)
    source: str = "weekends"
    provisional: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", MappingProxyType(dict(self.holidays)))
        object.__setattr__(self, "workdays", MappingProxyType(dict(self.workdays)))
        stray = [d for d in (*self.holidays, *self.workdays) if d.year != self.year]
        if stray:
            raise ValueError(f"calendar {self.year} ({self.source}) lists dates of another year: {stray[:3]}")
        both = set(self.holidays) & set(self.workdays)
        if both:
            raise ValueError(f"calendar {self.year} ({self.source}) lists dates as holiday and workday: "
                             f"{sorted(both)[:3]}")

    def is_working_day(self, day: date) -> bool:
        """True when people work that day: a make-up day, or a weekday that is not a holiday."""
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def overriding(self, base: YearCalendar) -> YearCalendar:
        """This calendar laid over `base` date by date: where both speak of a date, this one wins."""
        holidays = {d: n for d, n in base.holidays.items() if d not in self.workdays}
        workdays = {d: n for d, n in base.workdays.items() if d not in self.holidays}
        return YearCalendar(
            year=self.year,
            holidays={**holidays, **self.holidays},
            workdays={**workdays, **self.workdays},
            source=f"{self.source} over {base.source}",
            provisional=self.provisional,
        )


YearSource = Callable[[int], YearCalendar | None]


class WorkingCalendar:
    """Working days and hours in one civil time zone, with deadline arithmetic on aware datetimes.

    Results are returned in the time zone of the datetime passed in (UTC in, UTC out).
    """

    def __init__(
        self,
        *,
        hours: WorkingHours | None = None,
        files: Mapping[int, YearCalendar] | None = None,
        library: YearSource | None = None,
        tz: ZoneInfo = SHANGHAI,
    ) -> None:
        self.hours = hours or WorkingHours()
        self.tz = tz
        self._files = dict(files or {})
        self._library = library
        self._years: dict[int, YearCalendar] = {}
        self._lock = threading.Lock()

    def year(self, year: int) -> YearCalendar:
        """The calendar used for `year`: file over library; Mon–Fri with a warning (once) when neither knows."""
        known = self._years.get(year)
        if known is None:
            with self._lock:
                known = self._years.get(year) or self._resolve(year)
                self._years[year] = known
        return known

    def _resolve(self, year: int) -> YearCalendar:
        from_file = self._files.get(year)
        from_library = self._library(year) if self._library else None
        if from_file is None and from_library is None:
            log.warning("no holiday calendar for %s: counting Mon–Fri as working days; add calendars/%s.yaml "
                        "from the State Council notice", year, year)
            return YearCalendar(year=year, source="fallback Mon–Fri")
        chosen = from_file.overriding(from_library) if from_file and from_library else from_file or from_library
        assert chosen is not None
        if chosen.provisional:
            log.warning("the holiday calendar for %s is provisional (%s)", year, chosen.source)
        return chosen

    @property
    def working_day(self) -> timedelta:
        """The working time in one working day (the unit of "N working days")."""
        return self.hours.length

    def working_days(self, n: float) -> timedelta:
        """N working days expressed as working time: N × the length of a working day."""
        return self.working_day * n

    def is_working_day(self, day: date) -> bool:
        """True when `day` is a working day (make-up days count, holidays and weekends do not)."""
        return self.year(day.year).is_working_day(day)

    def is_working_time(self, at: datetime) -> bool:
        """True when `at` falls within working hours on a working day (start inclusive, end exclusive)."""
        local = self._local(at)
        return self.is_working_day(local.date()) and self.hours.start <= local.time() < self.hours.end

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The instant when `duration` of working time has passed after `start`; off-hours starts wait."""
        if duration < timedelta(0):
            raise ValueError(f"duration must not be negative, got {duration}")
        cursor, remaining = _utc(start), duration
        day = self._local(start).date()
        for _ in range(_MAX_SEARCH_DAYS):
            if self.is_working_day(day):
                opens, closes = self._period(day)
                begin = max(cursor, opens)
                if begin < closes:
                    if remaining <= closes - begin:
                        return (begin + remaining).astimezone(start.tzinfo)
                    remaining -= closes - begin
            day += _ONE_DAY
        raise ValueError(f"no working time found within {_MAX_SEARCH_DAYS} days after {start}")

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """The working time from `a` to `b` (negative when `b` is before `a`)."""
        if b < a:
            return -self.working_time_between(b, a)
        lo, hi = _utc(a), _utc(b)
        total, day, last = timedelta(0), self._local(a).date(), self._local(b).date()
        while day <= last:
            if self.is_working_day(day):
                opens, closes = self._period(day)
                total += max(timedelta(0), min(closes, hi) - max(opens, lo))
            day += _ONE_DAY
        return total

    def deadline(self, start: datetime, duration: timedelta, mode: Mode | str) -> datetime:
        """The due instant: `duration` of elapsed time (calendar) or of working time (working)."""
        mode = Mode(mode)
        if mode is Mode.WORKING:
            return self.add_working_time(start, duration)
        return (_utc(start) + duration).astimezone(start.tzinfo)

    def _local(self, at: datetime) -> datetime:
        return _utc(at).astimezone(self.tz)

    def _period(self, day: date) -> tuple[datetime, datetime]:
        opens = datetime.combine(day, self.hours.start, tzinfo=self.tz).astimezone(UTC)
        closes = datetime.combine(day, self.hours.end, tzinfo=self.tz).astimezone(UTC)
        return opens, closes


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"datetime must be timezone-aware, got {at!r}")
    return at.astimezone(UTC)
