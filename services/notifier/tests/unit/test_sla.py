"""SLA durations, deadlines and reminders on the working calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notifier.adapters.calendar_files import library_year
from notifier.adapters.policy_files import load_policy_book
from notifier.domain.calendar import SHANGHAI, Mode, WorkingCalendar
from notifier.domain.sla import Duration, SlaPolicy, Unit, deadlines_for, reminder_times


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Shanghai civil time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def calendar() -> WorkingCalendar:
    return WorkingCalendar(library=library_year)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 minutes", Duration(30, Unit.MINUTES, Mode.CALENDAR)),
        ("1 hour", Duration(1, Unit.HOURS, Mode.CALENDAR)),
        ("1.5 days", Duration(1.5, Unit.DAYS, Mode.CALENDAR)),
        ("4 Working Hours", Duration(4, Unit.HOURS, Mode.WORKING)),
        ("2 working days", Duration(2, Unit.DAYS, Mode.WORKING)),
    ],
)
def test_durations_parse_from_plain_words(text: str, expected: Duration) -> None:
    assert Duration.parse(text) == expected
    assert Duration.parse(str(expected)) == expected


@pytest.mark.parametrize("text", ["30", "30m", "two days", "-1 hours", "0 minutes", "2 working weeks"])
def test_unreadable_or_empty_durations_are_rejected(text: str) -> None:
    with pytest.raises(ValueError):
        Duration.parse(text)


def test_a_working_day_is_the_calendar_working_day_not_24_hours(calendar: WorkingCalendar) -> None:
    assert Duration.parse("2 working days").length(calendar) == timedelta(hours=17)
    assert Duration.parse("2 days").length(calendar) == timedelta(hours=48)


def test_a_leak_reported_at_night_on_national_day_is_due_30_minutes_later(calendar: WorkingCalendar) -> None:
    policy = load_policy_book().policy_named("leak-urgent")
    due = deadlines_for(policy, sh(2025, 10, 1, 2, 0), calendar)
    assert due.response_due == sh(2025, 10, 1, 2, 30)
    assert due.resolution_due == sh(2025, 10, 11, 17, 0)  # 3 working days: Oct 9, 10, 11 (make-up Saturday)


def test_a_tier_4_case_on_friday_afternoon_is_due_two_working_days_later(calendar: WorkingCalendar) -> None:
    policy = load_policy_book().policy_named("tier4-street")
    response_due, _ = deadlines_for(policy, sh(2025, 3, 14, 16, 30), calendar)
    assert response_due == sh(2025, 3, 18, 16, 30)


def test_deadlines_come_back_in_the_time_zone_of_the_start(calendar: WorkingCalendar) -> None:
    policy = load_policy_book().policy_named("tier4-street")
    start = sh(2025, 3, 14, 16, 30).astimezone(UTC)
    assert deadlines_for(policy, start, calendar).response_due == datetime(2025, 3, 18, 8, 30, tzinfo=UTC)


def test_calendar_reminders_fall_at_fractions_of_elapsed_time() -> None:
    start = sh(2025, 3, 15, 2, 0)
    times = reminder_times(start, start + timedelta(minutes=30), (0.5, 0.8))
    assert times == (sh(2025, 3, 15, 2, 15), sh(2025, 3, 15, 2, 24))


def test_working_reminders_skip_the_weekend(calendar: WorkingCalendar) -> None:
    start, due = sh(2025, 3, 14, 16, 30), sh(2025, 3, 18, 16, 30)  # 17 working hours
    times = reminder_times(start, due, (0.5, 0.8), mode="working", calendar=calendar)
    assert times == (sh(2025, 3, 17, 16, 30), sh(2025, 3, 18, 13, 6))
    with pytest.raises(ValueError, match="calendar"):
        reminder_times(start, due, (0.5,), mode=Mode.WORKING)


@pytest.mark.parametrize("fractions", [(0.8, 0.5), (0.0, 0.5), (0.5, 1.0), (0.5, 0.5)])
def test_reminder_fractions_must_be_increasing_and_inside_the_interval(fractions: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="reminders_at"):
        SlaPolicy("x", Duration.parse("1 hour"), Duration.parse("1 day"), fractions)
