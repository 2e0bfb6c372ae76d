"""The routing rules file (YAML/JSON): schema with line-numbered errors, and the domain RuleSet."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from contracts.categories import BY_CODE, CLASSES
from router.adapters.yaml_files import FileInvalid, error_at, parse_text
from router.domain.rules import MATCH_KEYS, UNIT_KINDS, Emergency, Override, RouteRule, RuleSet

DEFAULT_RULES_FILE = Path(__file__).resolve().parents[1] / "rules" / "default_rules.yaml"
UnitKind = Literal["grid_worker", "property", "building_lead", "volunteer", "police", "cadre", "secretary",
                   "street_centre"]
assert set(UnitKind.__args__) == set(UNIT_KINDS)  # type: ignore[attr-defined]


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: int = Field(ge=1, le=4)
    units: list[UnitKind] = Field(min_length=1)
    sla_policy: str = Field(min_length=1)
    whistle: bool = False
    callback: bool = False
    departments: list[str] = []


class PartialRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: int | None = Field(None, ge=1, le=4)
    units: list[UnitKind] | None = None
    sla_policy: str | None = None
    whistle: bool | None = None
    callback: bool | None = None
    departments: list[str] | None = None


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    match: dict[str, str] = Field(min_length=1)
    set: PartialRuleIn

    @field_validator("match")
    @classmethod
    def _known_keys(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = set(value) - set(MATCH_KEYS)
        if unknown:
            raise ValueError(f"unknown match key(s) {sorted(unknown)}; use {', '.join(MATCH_KEYS)}")
        return value


class EmergencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    words: list[str] = Field(min_length=1)
    set: PartialRuleIn


class RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int | str = 1
    classes: dict[str, RuleIn]
    sub_categories: dict[str, RuleIn] = {}
    emergency: EmergencyIn | None = None
    triage: RuleIn = RuleIn(tier=2, units=["cadre"], sla_policy="standard")
    response_minutes: dict[str, int] = {}
    overrides: list[OverrideIn] = []


def _rule(r: RuleIn) -> RouteRule:
    return RouteRule(r.tier, tuple(r.units), r.sla_policy, r.whistle, r.callback, tuple(r.departments))


def _changes(p: PartialRuleIn) -> dict[str, Any]:
    return p.model_dump(exclude_none=True)


def _check(doc: RulesFile, text: str, name: str, dept_codes: set[str] | None) -> list[str]:
    errors = [error_at(name, text, ("classes", c), f"unknown class {c!r}") for c in doc.classes if c not in CLASSES]
    errors += [error_at(name, text, ("sub_categories", s), f"unknown sub-category {s!r}")
               for s in doc.sub_categories if s not in BY_CODE]
    errors += [error_at(name, text, ("classes",), f"class {c!r} has no rule") for c in CLASSES if c not in doc.classes]
    for i, o in enumerate(doc.overrides):
        sub = o.match.get("sub_category")
        if sub is not None and sub not in BY_CODE:
            errors.append(error_at(name, text, ("overrides", i, "match", "sub_category"), f"unknown {sub!r}"))
        for code in (o.set.departments or []) if dept_codes is not None else []:
            if dept_codes is not None and code not in dept_codes:
                errors.append(error_at(name, text, ("overrides", i, "set", "departments"),
                                       f"unknown department {code!r}"))
    return errors


def parse_rules(text: str, *, name: str, dept_codes: set[str] | None = None) -> RuleSet:
    """Validate a rules document (department codes checked against the organisation when given)."""
    doc = parse_text(text, RulesFile, name=name)
    errors = _check(doc, text, name, dept_codes)
    if errors:
        raise FileInvalid(errors)
    emergency = Emergency(tuple(doc.emergency.words), _changes(doc.emergency.set)) if doc.emergency else None
    return RuleSet(
        by_class={k: _rule(v) for k, v in doc.classes.items()},
        by_sub_category={k: _rule(v) for k, v in doc.sub_categories.items()},
        overrides=tuple(Override(dict(o.match), _changes(o.set)) for o in doc.overrides),
        emergency=emergency, triage=_rule(doc.triage), response_minutes=dict(doc.response_minutes),
        version=str(doc.version))


def load_rules(path: Path | None, *, dept_codes: set[str] | None = None) -> RuleSet:
    """Load the rules file, or the packaged default rule set when `path` is None."""
    target = path or DEFAULT_RULES_FILE
    try:
        text = target.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileInvalid([f"{target}:0: cannot read: {exc.strerror}"]) from None
    return parse_rules(text, name=str(target), dept_codes=dept_codes)
