"""Routing rules: per category → tier, units, whistle, call-back and SLA policy; overrides per place."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

UNIT_KINDS = ("grid_worker", "property", "building_lead", "volunteer", "police", "cadre", "secretary",
              "street_centre")
PLACE_KEYS = ("district_id", "street_id", "community_id")
MATCH_KEYS = (*PLACE_KEYS, "class_code", "sub_category")


@dataclass(frozen=True)
class RouteRule:
    """What a category gets: tier, unit kinds (4+N), whether departments are whistled, SLA policy."""

    tier: int
    units: tuple[str, ...]
    sla_policy: str
    whistle: bool = False
    callback: bool = False
    departments: tuple[str, ...] = ()  # explicit department codes; empty = those whose `handles` match

    def with_changes(self, changes: dict[str, Any]) -> RouteRule:
        """A copy with some fields replaced (an override)."""
        fixed: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}
        return replace(self, **fixed)


@dataclass(frozen=True)
class Override:
    """Fields that replace a rule's where `match` holds (一社区一方案)."""

    match: dict[str, str]
    changes: dict[str, Any]

    def applies(self, facts: dict[str, str | None]) -> bool:
        """True when every match key equals the case's fact."""
        return all(facts.get(k) == v for k, v in self.match.items())

    def specificity(self) -> tuple[int, int]:
        """Community beats street beats district; a sub-category beats a class."""
        place = max((PLACE_KEYS.index(k) + 1 for k in self.match if k in PLACE_KEYS), default=0)
        category = 2 if "sub_category" in self.match else 1 if "class_code" in self.match else 0
        return place, category


@dataclass(frozen=True)
class Emergency:
    """The emergency path: words that trigger it and the rule fields it forces."""

    words: tuple[str, ...]
    changes: dict[str, Any]


@dataclass(frozen=True)
class RuleSet:
    """Defaults per class, rules per sub-category, overrides per place and the emergency path."""

    by_class: dict[str, RouteRule]
    by_sub_category: dict[str, RouteRule]
    overrides: tuple[Override, ...] = ()
    emergency: Emergency | None = None
    triage: RouteRule = field(default_factory=lambda: RouteRule(2, ("cadre",), "standard"))
    response_minutes: dict[str, int] = field(default_factory=dict)
    version: str = "1"

    def rule_for(self, facts: dict[str, str | None], *, emergency: bool = False) -> RouteRule:
        """The base rule for the category, overrides applied least specific first, then the emergency path."""
        sub = facts.get("sub_category")
        cls = facts.get("class_code")
        rule = self.by_sub_category.get(sub or "") or self.by_class.get(cls or "") or self.triage
        for override in sorted((o for o in self.overrides if o.applies(facts)), key=Override.specificity):
            rule = rule.with_changes(override.changes)
        if emergency and self.emergency:
            merged = dict(self.emergency.changes)
            merged["tier"] = max(rule.tier, int(merged.get("tier", rule.tier)))
            merged["units"] = tuple(dict.fromkeys((*merged.get("units", ()), *rule.units)))
            rule = rule.with_changes(merged)
        return rule

    def is_emergency(self, text: str) -> list[str]:
        """The emergency words found in the text."""
        return [w for w in self.emergency.words if w in text] if self.emergency else []
