"""SLA policy books and duty rosters read from YAML, validated with errors that name the file and field."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import yaml

from contracts.categories import BY_CODE, CLASSES
from notifier.adapters.calendar_files import read_yaml
from notifier.domain.calendar import WorkingCalendar
from notifier.domain.roster import DutyRoster, DutyWindow, Rota
from notifier.domain.sla import Duration, PolicyBook, PolicyRule, Scope, SlaPolicy

DEFAULT_POLICIES = Path(__file__).resolve().parent.parent / "policies" / "default_policies.yaml"
_SCOPE_KEYS = ("category_class", "sub_category", "tier", "district_id", "community_id")
_WEEKDAYS = {name: i for i, names in enumerate(
    [("mon", "周一"), ("tue", "周二"), ("wed", "周三"), ("thu", "周四"), ("fri", "周五"), ("sat", "周六"),
     ("sun", "周日")]) for name in names}


class PolicyFileError(ValueError):
    """A policy or roster file that cannot be used; the message names the file and the field."""

    def __init__(self, path: Path | str, field: str, problem: str) -> None:
        super().__init__(f"{path}: {field}: {problem}")


def _read(path: Path | str) -> Any:
    try:
        return read_yaml(path)
    except yaml.YAMLError as exc:
        raise PolicyFileError(path, "(yaml)", str(exc).replace("\n", " ")) from None


def _mapping(value: Any, allowed: set[str], *, field: str, source: Path | str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PolicyFileError(source, field, f"expected a mapping, got {type(value).__name__}")
    unknown = sorted(set(map(str, value)) - allowed)
    if unknown:
        raise PolicyFileError(source, f"{field}.{unknown[0]}".lstrip("."),
                              f"unknown field; allowed: {', '.join(sorted(allowed))}")
    return value


def load_policy_book(path: Path | str = DEFAULT_POLICIES) -> PolicyBook:
    """Read and validate a policy book (the shipped defaults unless another file is given)."""
    return parse_policy_book(_read(path), source=path)


def parse_policy_book(data: Any, *, source: Path | str) -> PolicyBook:
    """Validate a policy book's content: named policies and the rules that choose them."""
    top = _mapping(data, {"reminders_at", "policies", "rules"}, field="", source=source)
    reminders = _fractions(top.get("reminders_at", [0.5, 0.8]), field="reminders_at", source=source)
    named = _mapping(top.get("policies"), set(map(str, top.get("policies") or {})), field="policies",
                     source=source)
    policies = {str(n): _policy(str(n), spec, reminders, source=source) for n, spec in named.items()}
    rules = top.get("rules")
    if not isinstance(rules, list) or not rules:
        raise PolicyFileError(source, "rules", "expected a non-empty list of {match, policy}")
    try:
        return PolicyBook(_rule(i, r, policies, source=source) for i, r in enumerate(rules))
    except ValueError as exc:
        if isinstance(exc, PolicyFileError):
            raise
        raise PolicyFileError(source, "rules", str(exc)) from None


def _policy(name: str, spec: Any, reminders: tuple[float, ...], *, source: Path | str) -> SlaPolicy:
    field = f"policies.{name}"
    spec = _mapping(spec, {"response", "resolution", "reminders_at"}, field=field, source=source)
    durations = {}
    for key in ("response", "resolution"):
        if key not in spec:
            raise PolicyFileError(source, f"{field}.{key}", "missing")
        try:
            durations[key] = Duration.parse(spec[key])
        except ValueError as exc:
            raise PolicyFileError(source, f"{field}.{key}", str(exc)) from None
    if "reminders_at" in spec:
        reminders = _fractions(spec["reminders_at"], field=f"{field}.reminders_at", source=source)
    return SlaPolicy(name, durations["response"], durations["resolution"], reminders)


def _fractions(value: Any, *, field: str, source: Path | str) -> tuple[float, ...]:
    ok = isinstance(value, list) and all(isinstance(f, int | float) and not isinstance(f, bool) for f in value)
    fractions = tuple(float(f) for f in value) if ok else ()
    if not ok or any(not 0 < f < 1 for f in fractions) or list(fractions) != sorted(set(fractions)):
        raise PolicyFileError(source, field, f"expected increasing fractions between 0 and 1, got {value!r}")
    return fractions


def _rule(i: int, rule: Any, policies: Mapping[str, SlaPolicy], *, source: Path | str) -> PolicyRule:
    field = f"rules[{i}]"
    rule = _mapping(rule, {"match", "policy"}, field=field, source=source)
    name = rule.get("policy")
    if name not in policies:
        raise PolicyFileError(source, f"{field}.policy", f"unknown policy {name!r}; known: {sorted(policies)}")
    match = _mapping(rule.get("match") or {}, set(_SCOPE_KEYS), field=f"{field}.match", source=source)
    return PolicyRule(_scope(match, field=f"{field}.match", source=source), policies[name])


def _scope(match: Mapping[str, Any], *, field: str, source: Path | str) -> Scope:
    tier, cls, sub = match.get("tier"), match.get("category_class"), match.get("sub_category")
    if tier is not None and (not isinstance(tier, int) or isinstance(tier, bool) or not 1 <= tier <= 4):
        raise PolicyFileError(source, f"{field}.tier", f"expected 1, 2, 3 or 4, got {tier!r}")
    if cls is not None and cls not in CLASSES:
        raise PolicyFileError(source, f"{field}.category_class", f"unknown class code {cls!r}; known: "
                              f"{sorted(CLASSES)}")
    if sub is not None and sub not in BY_CODE:
        raise PolicyFileError(source, f"{field}.sub_category", f"unknown sub-category code {sub!r}")
    if sub is not None and cls is not None and BY_CODE[sub].class_code != cls:
        raise PolicyFileError(source, f"{field}.sub_category", f"{sub!r} belongs to {BY_CODE[sub].class_code!r}")
    places = {k: match.get(k) for k in ("district_id", "community_id")}
    for key, value in places.items():
        if value is not None and not isinstance(value, str | int):
            raise PolicyFileError(source, f"{field}.{key}", f"expected an id, got {value!r}")
    return Scope(tier=tier, sub_category=sub, category_class=cls,
                 community_id=_id(places["community_id"]), district_id=_id(places["district_id"]))


def _id(value: Any) -> str | None:
    return None if value is None else str(value)


def load_roster(path: Path | str, *, calendar: WorkingCalendar) -> DutyRoster:
    """Read and validate a duty roster file."""
    return parse_roster(_read(path), source=path, calendar=calendar)


def parse_roster(data: Any, *, source: Path | str, calendar: WorkingCalendar) -> DutyRoster:
    """Validate a roster's content: an optional window and rotas per community and per street."""
    top = _mapping(data, {"window", "communities", "streets"}, field="", source=source)
    window = _mapping(top.get("window") or {}, {"start", "end"}, field="window", source=source)
    try:
        duty_window = DutyWindow(_time(window.get("start", "17:00"), field="window.start", source=source),
                                 _time(window.get("end", "08:30"), field="window.end", source=source))
    except ValueError as exc:
        if isinstance(exc, PolicyFileError):
            raise
        raise PolicyFileError(source, "window", str(exc)) from None
    rotas = {}
    for kind in ("communities", "streets"):
        entries = top.get(kind) or {}
        entries = _mapping(entries, set(map(str, entries)), field=kind, source=source)
        rotas[kind] = {str(k): _rota(v, field=f"{kind}.{k}", source=source) for k, v in entries.items()}
    return DutyRoster(calendar=calendar, communities=rotas["communities"], streets=rotas["streets"],
                      window=duty_window)


def _rota(spec: Any, *, field: str, source: Path | str) -> Rota:
    spec = _mapping(spec, {"default", "weekdays", "dates"}, field=field, source=source)
    days = spec.get("weekdays") or {}
    days = _mapping(days, set(_WEEKDAYS), field=f"{field}.weekdays", source=source)
    dates = spec.get("dates") or {}
    if not isinstance(dates, Mapping):
        raise PolicyFileError(source, f"{field}.dates", "expected a mapping of date → unit id")
    return Rota(
        dates={_date(d, field=f"{field}.dates.{d}", source=source): _unit(u, field=f"{field}.dates.{d}",
                                                                          source=source)
               for d, u in dates.items()},
        weekdays={_WEEKDAYS[str(d)]: _unit(u, field=f"{field}.weekdays.{d}", source=source) for d, u in days.items()},
        default=None if spec.get("default") is None else _unit(spec["default"], field=f"{field}.default",
                                                                  source=source),
    )


def _unit(value: Any, *, field: str, source: Path | str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PolicyFileError(source, field, f"expected a unit id, got {value!r}")
    return value.strip()


def _date(value: Any, *, field: str, source: Path | str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise PolicyFileError(source, field, f"expected a date like 2025-10-01, got {value!r}") from None


def _time(value: Any, *, field: str, source: Path | str) -> time:
    if isinstance(value, int):
        raise PolicyFileError(source, field, f"quote the time (YAML reads unquoted 17:00 as a number), got {value}")
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        raise PolicyFileError(source, field, f"expected a time like \"17:00\", got {value!r}") from None
