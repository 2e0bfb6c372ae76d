"""Year calendars from the chinesecalendar library and from per-year YAML files operators maintain."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml

from notifier.domain.calendar import WorkingCalendar, WorkingHours, YearCalendar

log = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "calendars"
_YEAR_FILE = re.compile(r"^(\d{4})\.ya?ml$")
_KEYS = {"year", "holidays", "workdays", "provisional", "note"}


class _TextDatesLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a bad date is reported with its field, not by the parser."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path | str) -> Any:
    """Parse a YAML file safely, dates left as text; raises yaml.YAMLError on bad syntax."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_TextDatesLoader)


class CalendarFileError(ValueError):
    """A calendar file that cannot be used; the message names the file and the field."""

    def __init__(self, path: Path | str, field: str, problem: str) -> None:
        super().__init__(f"{path}: {field}: {problem}")


def library_year(year: int) -> YearCalendar | None:
    """The year as the chinesecalendar package knows it, or None outside its range."""
    known = chinese_calendar.holidays
    if not min(known).year <= year <= max(known).year:
        return None
    return YearCalendar(
        year=year,
        holidays={d: _chinese(n) for d, n in known.items() if d.year == year},
        workdays={d: _chinese(n) for d, n in chinese_calendar.workdays.items() if d.year == year},
        source=f"chinesecalendar {getattr(chinese_calendar, '__version__', '')}".strip(),
    )


def _chinese(english: str) -> str:
    try:
        return chinese_calendar.Holiday(english).chinese
    except ValueError:
        return english


def parse_year(data: Any, *, source: Path | str) -> YearCalendar:
    """Validate one calendar file's content and turn it into a YearCalendar."""
    if not isinstance(data, Mapping):
        raise CalendarFileError(source, "(top level)", "expected a mapping with year, holidays, workdays")
    unknown = sorted(set(map(str, data)) - _KEYS)
    if unknown:
        raise CalendarFileError(source, unknown[0], f"unknown field; allowed: {', '.join(sorted(_KEYS))}")
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 2200:
        raise CalendarFileError(source, "year", f"expected a four-digit year, got {year!r}")
    if not isinstance(data.get("provisional", False), bool):
        raise CalendarFileError(source, "provisional", "expected true or false")
    holidays = _days(data.get("holidays"), field="holidays", source=source, year=year)
    workdays = _days(data.get("workdays"), field="workdays", source=source, year=year)
    both = sorted(set(holidays) & set(workdays))
    if both:
        raise CalendarFileError(source, "workdays", f"{both[0]} is also listed as a holiday")
    return YearCalendar(year=year, holidays=holidays, workdays=workdays, source=str(source),
                        provisional=bool(data.get("provisional", False)))


def _days(entries: Any, *, field: str, source: Path | str, year: int) -> dict[date, str]:
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise CalendarFileError(source, field, "expected a list of dates or {from, to, name} ranges")
    days: dict[date, str] = {}
    for i, entry in enumerate(entries):
        where = f"{field}[{i}]"
        first, last, name = _entry(entry, where=where, source=source)
        if last < first or (last - first).days > 31:
            raise CalendarFileError(source, where, f"range {first}..{last} is reversed or longer than 31 days")
        if first.year != year or last.year != year:
            raise CalendarFileError(source, where, f"{first}..{last} is outside year {year}")
        for offset in range((last - first).days + 1):
            days[first + timedelta(days=offset)] = name
    return days


def _entry(entry: Any, *, where: str, source: Path | str) -> tuple[date, date, str]:
    if not isinstance(entry, Mapping):
        day = _date(entry, where=where, source=source)
        return day, day, ""
    extra = sorted(set(map(str, entry)) - {"date", "from", "to", "name"})
    if extra:
        raise CalendarFileError(source, f"{where}.{extra[0]}", "unknown field; use date, or from/to, and name")
    name = str(entry.get("name") or "")
    if "date" in entry and not {"from", "to"} & set(entry):
        day = _date(entry["date"], where=f"{where}.date", source=source)
        return day, day, name
    if "date" not in entry and {"from", "to"} <= set(entry):
        first = _date(entry["from"], where=f"{where}.from", source=source)
        return first, _date(entry["to"], where=f"{where}.to", source=source), name
    raise CalendarFileError(source, where, "give either date, or both from and to")


def _date(value: Any, *, where: str, source: Path | str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise CalendarFileError(source, where, f"expected a date like 2027-10-01, got {value!r}") from None


def load_year_file(path: Path) -> YearCalendar:
    """Read and validate one `<year>.yaml` calendar file."""
    try:
        data = read_yaml(path)
    except yaml.YAMLError as exc:
        raise CalendarFileError(path, "(yaml)", str(exc).replace("\n", " ")) from None
    calendar = parse_year(data, source=path)
    match = _YEAR_FILE.match(path.name)
    if match and int(match.group(1)) != calendar.year:
        raise CalendarFileError(path, "year", f"{calendar.year} does not match the file name")
    return calendar


def load_year_files(dirs: Iterable[Path | str]) -> dict[int, YearCalendar]:
    """All `<year>.yaml` files of the directories; a later directory's file lies over an earlier one's."""
    years: dict[int, YearCalendar] = {}
    for directory in map(Path, dirs):
        if not directory.is_dir():
            log.warning("calendar directory %s does not exist; skipped", directory)
            continue
        for path in sorted(p for p in directory.iterdir() if _YEAR_FILE.match(p.name)):
            loaded = load_year_file(path)
            base = years.get(loaded.year)
            years[loaded.year] = loaded.overriding(base) if base else loaded
    return years


def build_calendar(
    *, dirs: Iterable[Path | str] = (SHIPPED_DIR,), hours: WorkingHours | None = None, use_library: bool = True
) -> WorkingCalendar:
    """The working calendar from calendar files over the chinesecalendar library."""
    return WorkingCalendar(hours=hours, files=load_year_files(dirs), library=library_year if use_library else None)
