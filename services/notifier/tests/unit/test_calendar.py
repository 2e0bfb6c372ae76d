"""The working calendar on real Chinese holidays: Spring Festival, National Day, make-up Saturdays."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta

import pytest

from notifier.adapters.calendar_files import library_year
from notifier.domain.calendar import SHANGHAI, Mode, WorkingCalendar, WorkingHours, YearCalendar


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Shanghai civil time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar(library=library_year)


def test_spring_festival_2025_is_off_and_its_make_up_days_are_working(calendar: WorkingCalendar) -> None:
    holidays = [date(2025, 1, 28) + timedelta(days=i) for i in range(8)]
    assert not any(calendar.is_working_day(d) for d in holidays)
    assert calendar.is_working_day(date(2025, 1, 26))  # Sunday, 调休
    assert calendar.is_working_day(date(2025, 2, 8))  # Saturday, 调休
    assert calendar.is_working_day(date(2025, 2, 5))
    assert not calendar.is_working_day(date(2025, 2, 9))


def test_one_working_hour_before_spring_festival_2025_lands_after_it(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_time(sh(2025, 1, 27, 16, 30), timedelta(hours=1)) == sh(2025, 2, 5, 9, 0)


def test_spring_festival_2026_make_up_saturday_counts_as_working_time(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_time(sh(2026, 2, 14, 10, 0))
    assert calendar.add_working_time(sh(2026, 2, 13, 16, 30), timedelta(hours=1)) == sh(2026, 2, 14, 9, 0)
    assert calendar.add_working_time(sh(2026, 2, 14, 16, 30), timedelta(hours=1)) == sh(2026, 2, 24, 9, 0)
    assert calendar.is_working_day(date(2026, 2, 28))
    assert not calendar.is_working_day(date(2026, 2, 23))


def test_national_day_2025_with_make_up_days_on_sep_28_and_oct_11(calendar: WorkingCalendar) -> None:
    assert calendar.is_working_day(date(2025, 9, 28))
    assert not any(calendar.is_working_day(date(2025, 10, d)) for d in range(1, 9))
    assert calendar.is_working_day(date(2025, 10, 11))
    assert calendar.add_working_time(sh(2025, 9, 30, 16, 0), timedelta(hours=2)) == sh(2025, 10, 9, 9, 30)
    assert calendar.add_working_time(sh(2025, 10, 10, 16, 30), timedelta(hours=1)) == sh(2025, 10, 11, 9, 0)


def test_working_time_across_national_day_counts_only_working_days(calendar: WorkingCalendar) -> None:
    spent = calendar.working_time_between(sh(2025, 9, 30, 8, 30), sh(2025, 10, 9, 17, 0))
    assert spent == timedelta(hours=17)
    assert calendar.working_time_between(sh(2025, 10, 9, 17, 0), sh(2025, 9, 30, 8, 30)) == -spent


def test_friday_afternoon_plus_one_working_hour_is_monday_morning(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_time(sh(2025, 3, 14, 16, 30), timedelta(hours=1)) == sh(2025, 3, 17, 9, 0)
    assert calendar.add_working_time(sh(2025, 3, 14, 16, 30), timedelta(minutes=30)) == sh(2025, 3, 14, 17, 0)


def test_a_start_off_hours_begins_at_the_next_working_period(calendar: WorkingCalendar) -> None:
    assert calendar.add_working_time(sh(2025, 3, 15, 10, 0), timedelta(minutes=30)) == sh(2025, 3, 17, 9, 0)
    assert calendar.add_working_time(sh(2025, 3, 17, 6, 0), timedelta(minutes=30)) == sh(2025, 3, 17, 9, 0)
    assert not calendar.is_working_time(sh(2025, 3, 17, 17, 0))
    assert calendar.is_working_time(sh(2025, 3, 17, 8, 30))


def test_results_keep_the_time_zone_they_were_given(calendar: WorkingCalendar) -> None:
    start = sh(2025, 3, 14, 16, 30).astimezone(UTC)
    due = calendar.add_working_time(start, timedelta(hours=1))
    assert due.tzinfo is UTC
    assert due == datetime(2025, 3, 17, 1, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.add_working_time(datetime(2025, 3, 14, 16, 30), timedelta(hours=1))


def test_deadline_in_calendar_mode_runs_around_the_clock(calendar: WorkingCalendar) -> None:
    start = sh(2025, 10, 1, 2, 0)
    assert calendar.deadline(start, timedelta(minutes=30), Mode.CALENDAR) == sh(2025, 10, 1, 2, 30)
    assert calendar.deadline(start, timedelta(minutes=30), "working") == sh(2025, 10, 9, 9, 0)


def test_two_working_days_are_two_working_day_lengths(calendar: WorkingCalendar) -> None:
    assert calendar.working_days(2) == timedelta(hours=17)
    assert calendar.add_working_time(sh(2025, 3, 17, 10, 0), calendar.working_days(2)) == sh(2025, 3, 19, 10, 0)
    assert calendar.add_working_time(sh(2025, 9, 30, 10, 0), calendar.working_days(2)) == sh(2025, 10, 10, 10, 0)


def test_working_hours_are_configurable() -> None:
    calendar = WorkingCalendar(hours=WorkingHours(time(9, 0), time(18, 0)), library=library_year)
    assert calendar.add_working_time(sh(2025, 3, 14, 17, 30), timedelta(hours=1)) == sh(2025, 3, 17, 9, 30)
    with pytest.raises(ValueError):
        WorkingHours(time(18, 0), time(9, 0))


def test_unknown_year_warns_once_and_falls_back_to_monday_to_friday(
    calendar: WorkingCalendar, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="notifier.domain.calendar"):
        assert calendar.is_working_day(date(2027, 1, 1))  # a Friday; the real holiday is not known here
        assert not calendar.is_working_day(date(2027, 1, 2))
        due = calendar.add_working_time(sh(2026, 12, 31, 16, 30), timedelta(hours=1))
    assert due == sh(2027, 1, 1, 9, 0)
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1


def test_a_year_file_overrides_the_library_date_by_date(caplog: pytest.LogCaptureFixture) -> None:
    override = YearCalendar(year=2025, holidays={date(2025, 10, 11): "local"},
                            workdays={date(2025, 10, 8): "local"}, source="2025.yaml")
    calendar = WorkingCalendar(files={2025: override}, library=library_year)
    assert not calendar.is_working_day(date(2025, 10, 11))
    assert calendar.is_working_day(date(2025, 10, 8))
    assert not calendar.is_working_day(date(2025, 10, 7))  # the library still speaks for other dates
    assert calendar.is_working_day(date(2025, 9, 28))


def test_a_year_file_covers_a_year_the_library_does_not_know(caplog: pytest.LogCaptureFixture) -> None:
    year = YearCalendar(year=2027, holidays={date(2027, 1, 1): "元旦"}, source="2027.yaml")
    with caplog.at_level(logging.WARNING, logger="notifier.domain.calendar"):
        calendar = WorkingCalendar(files={2027: year}, library=library_year)
        assert calendar.add_working_time(sh(2026, 12, 31, 16, 30), timedelta(hours=1)) == sh(2027, 1, 4, 9, 0)
    assert not caplog.records


def test_a_year_calendar_rejects_contradictions() -> None:
    with pytest.raises(ValueError, match="holiday and workday"):
        YearCalendar(year=2025, holidays={date(2025, 5, 1): "a"}, workdays={date(2025, 5, 1): "b"})
    with pytest.raises(ValueError, match="another year"):
        YearCalendar(year=2025, holidays={date(2026, 5, 1): "a"})
