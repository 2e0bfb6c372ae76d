"""The off-hours duty roster: shifts across midnight, holidays, community before street."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

import pytest

from notifier.adapters.calendar_files import library_year
from notifier.adapters.policy_files import PolicyFileError, load_roster
from notifier.domain.calendar import SHANGHAI, WorkingCalendar
from notifier.domain.roster import DutyRoster, DutyWindow, Rota

ROSTER = """\
window: {start: "17:00", end: "08:30"}
communities:
  c-101:
    weekdays: {mon: 网格员-张, tue: 网格员-李, 周三: 网格员-王}
    dates: {2025-10-01: 社区书记}
streets:
  s-01:
    default: 街道网格中心
    weekdays: {sat: 街道值班-周六}
"""


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A Shanghai civil time."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def roster(tmp_path: Path) -> DutyRoster:
    path = tmp_path / "roster.yaml"
    path.write_text(ROSTER, encoding="utf-8")
    return load_roster(path, calendar=WorkingCalendar(library=library_year))


def duty(roster: DutyRoster, at: datetime, community: str | None = "c-101") -> str | None:
    return roster.on_duty(community_id=community, street_id="s-01", at=at)


def test_monday_nights_shift_runs_across_midnight_to_tuesday_morning(roster: DutyRoster) -> None:
    assert duty(roster, sh(2025, 3, 17, 17, 0)) == "网格员-张"
    assert duty(roster, sh(2025, 3, 17, 23, 59)) == "网格员-张"
    assert duty(roster, sh(2025, 3, 18, 2, 0)) == "网格员-张"
    assert duty(roster, sh(2025, 3, 18, 8, 29)) == "网格员-张"
    assert duty(roster, sh(2025, 3, 18, 17, 30)) == "网格员-李"
    assert duty(roster, sh(2025, 3, 19, 20, 0)) == "网格员-王"


def test_nobody_is_on_duty_in_working_hours(roster: DutyRoster) -> None:
    assert not roster.is_off_hours(sh(2025, 3, 18, 8, 30))
    assert duty(roster, sh(2025, 3, 18, 8, 30)) is None
    assert duty(roster, sh(2025, 3, 18, 16, 59)) is None


def test_the_street_covers_nights_the_community_leaves_open(roster: DutyRoster) -> None:
    assert duty(roster, sh(2025, 3, 20, 20, 0)) == "街道网格中心"  # Thursday: no community entry
    assert duty(roster, sh(2025, 3, 17, 20, 0), community="c-999") == "街道网格中心"
    assert roster.on_duty(community_id="c-999", street_id="s-99", at=sh(2025, 3, 17, 20, 0)) is None


def test_weekend_and_holiday_daytime_is_off_hours_with_its_own_shift(roster: DutyRoster) -> None:
    assert duty(roster, sh(2025, 3, 22, 11, 0)) == "街道值班-周六"
    assert duty(roster, sh(2025, 3, 22, 2, 0)) == "街道网格中心"  # still Friday night's shift
    assert duty(roster, sh(2025, 10, 1, 11, 0)) == "社区书记"  # National Day, a date entry
    assert duty(roster, sh(2025, 10, 2, 3, 0)) == "社区书记"


def test_a_make_up_saturday_is_a_working_day(roster: DutyRoster) -> None:
    assert not roster.is_off_hours(sh(2025, 10, 11, 10, 0))
    assert duty(roster, sh(2025, 10, 11, 10, 0)) is None
    assert duty(roster, sh(2025, 10, 11, 18, 0)) == "街道值班-周六"


def test_instants_in_utc_are_read_in_shanghai_time(roster: DutyRoster) -> None:
    assert duty(roster, datetime(2025, 3, 17, 18, 0, tzinfo=UTC)) == "网格员-张"  # Tue 02:00 in Shanghai
    with pytest.raises(ValueError, match="timezone-aware"):
        roster.is_off_hours(datetime(2025, 3, 17, 18, 0))


def test_a_daytime_window_does_not_wrap() -> None:
    window = DutyWindow(time(12, 0), time(13, 30))
    assert window.contains(time(12, 0)) and not window.contains(time(13, 30))
    rota = Rota(weekdays={0: "午间值班"})
    roster = DutyRoster(calendar=WorkingCalendar(library=library_year), communities={"c": rota}, window=window)
    assert roster.on_duty(community_id="c", street_id=None, at=sh(2025, 3, 17, 12, 15)) == "午间值班"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("window: {start: 17:00}\n", "window.start"),
        ("window: {start: '17:00', end: '17:00'}\n", "window"),
        ("communities:\n  c-1: {weekdays: {monday: u}}\n", "communities.c-1.weekdays.monday"),
        ("communities:\n  c-1: {dates: {2025-02-30: u}}\n", "communities.c-1.dates.2025-02-30"),
        ("streets:\n  s-1: {default: ''}\n", "streets.s-1.default"),
        ("streets:\n  s-1: {nightly: u}\n", "streets.s-1.nightly"),
        ("rota: {}\n", "rota"),
    ],
)
def test_a_bad_roster_file_is_rejected_naming_the_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = tmp_path / "roster.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyFileError) as error:
        load_roster(path, calendar=WorkingCalendar(library=library_year))
    assert str(error.value).startswith(f"{path}: {field}:")
