"""Per-year calendar files: parsing, validation that names file and field, and layering over the library."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from notifier.adapters.calendar_files import (
    SHIPPED_DIR,
    CalendarFileError,
    build_calendar,
    load_year_file,
    load_year_files,
    parse_year,
)
from notifier.domain.calendar import SHANGHAI

YEAR_2027 = """\
year: 2027
holidays:
  - {date: 2027-01-01, name: 元旦}
  - {from: 2027-02-06, to: 2027-02-12, name: 春节}
workdays:
  - 2027-02-14
"""


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_year_file_expands_ranges_and_keeps_names(tmp_path: Path) -> None:
    year = load_year_file(write(tmp_path, "2027.yaml", YEAR_2027))
    assert year.year == 2027
    assert len(year.holidays) == 8
    assert year.holidays[date(2027, 2, 9)] == "春节"
    assert date(2027, 2, 14) in year.workdays


def test_a_yaml_file_beats_the_library_in_the_built_calendar(tmp_path: Path) -> None:
    write(tmp_path, "2025.yaml", "year: 2025\nholidays:\n  - {date: 2025-10-11, name: 区级调整}\n")
    calendar = build_calendar(dirs=[SHIPPED_DIR, tmp_path])
    assert not calendar.is_working_day(date(2025, 10, 11))
    assert calendar.is_working_day(date(2025, 9, 28))
    assert "2025.yaml" in calendar.year(2025).source


def test_a_later_directory_lies_over_an_earlier_one(tmp_path: Path) -> None:
    shipped, operator = tmp_path / "shipped", tmp_path / "operator"
    shipped.mkdir()
    operator.mkdir()
    write(shipped, "2027.yaml", YEAR_2027)
    write(operator, "2027.yaml", "year: 2027\nworkdays: [2027-01-01]\n")
    year = load_year_files([shipped, operator])[2027]
    assert date(2027, 1, 1) in year.workdays
    assert date(2027, 1, 1) not in year.holidays
    assert date(2027, 2, 8) in year.holidays


def test_a_built_calendar_with_a_2027_file_does_not_warn(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path, "2027.yaml", YEAR_2027)
    with caplog.at_level(logging.WARNING):
        calendar = build_calendar(dirs=[tmp_path])
        due = calendar.add_working_time(datetime(2026, 12, 31, 16, 30, tzinfo=SHANGHAI), timedelta(hours=1))
    assert due == datetime(2027, 1, 4, 9, 0, tzinfo=SHANGHAI)
    assert not [r for r in caplog.records if "2027" in r.getMessage()]


def test_the_shipped_2027_template_is_valid_unofficial_and_not_loaded(caplog: pytest.LogCaptureFixture) -> None:
    template = load_year_file(SHIPPED_DIR / "2027.example.yaml")
    assert template.provisional and not template.holidays and not template.workdays
    assert 2027 not in load_year_files([SHIPPED_DIR])
    with caplog.at_level(logging.WARNING, logger="notifier.domain.calendar"):
        build_calendar().is_working_day(date(2027, 3, 1))
    assert any("2027" in r.getMessage() for r in caplog.records)


def test_a_provisional_year_file_warns_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    write(tmp_path, "2027.yaml", "year: 2027\nprovisional: true\n")
    calendar = build_calendar(dirs=[tmp_path])
    with caplog.at_level(logging.WARNING, logger="notifier.domain.calendar"):
        calendar.is_working_day(date(2027, 3, 1))
        calendar.is_working_day(date(2027, 3, 2))
    assert [r.getMessage() for r in caplog.records if "provisional" in r.getMessage()] != []
    assert len(caplog.records) == 1


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("year: 2027\nholiday: []\n", "holiday"),
        ("year: twenty\n", "year"),
        ("year: 2027\nholidays:\n  - {date: 2027-13-01}\n", "holidays[0].date"),
        ("year: 2027\nholidays:\n  - {date: 2026-12-31}\n", "holidays[0]"),
        ("year: 2027\nholidays:\n  - {from: 2027-02-12, to: 2027-02-06}\n", "holidays[0]"),
        ("year: 2027\nholidays:\n  - {from: 2027-02-06}\n", "holidays[0]"),
        ("year: 2027\nholidays:\n  - {date: 2027-02-06, day: x}\n", "holidays[0].day"),
        ("year: 2027\nholidays: [2027-01-01]\nworkdays: [2027-01-01]\n", "workdays"),
        ("year: 2027\nprovisional: maybe\n", "provisional"),
        ("- 2027\n", "(top level)"),
    ],
)
def test_a_bad_file_is_rejected_naming_the_file_and_field(tmp_path: Path, text: str, field: str) -> None:
    path = write(tmp_path, "2027.yaml", text)
    with pytest.raises(CalendarFileError) as error:
        load_year_file(path)
    assert str(error.value).startswith(f"{path}: {field}:")


def test_a_year_that_does_not_match_the_file_name_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(CalendarFileError, match=r"2028\.yaml: year"):
        load_year_file(write(tmp_path, "2028.yaml", YEAR_2027))


def test_parse_year_accepts_date_strings() -> None:
    year = parse_year({"year": 2027, "holidays": ["2027-05-01"]}, source="inline")
    assert date(2027, 5, 1) in year.holidays
