"""Case transitions beyond routing: each validates, changes the case and appends the audit entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from router.domain.case import ActorInfo, Case, InvalidTransition, check, record
from router.domain.org import Organisation, Unit
from router.domain.routing import locate, pick_departments, tier_units, units_of_kind
from router.domain.rules import RuleSet


@dataclass
class Step:
    """One applied transition: the action, the status before, and what the event must carry."""

    action: str
    previous: str
    extra: dict[str, Any] = field(default_factory=dict)
    new_departments: list[str] = field(default_factory=list)


def _unit_dicts(units: list[Unit]) -> list[dict[str, Any]]:
    return [{"unit_id": u.unit_id, "kind": u.kind, "name": u.name} for u in units]


def transition(case: Case, action: str, *, actor: ActorInfo, now: datetime, reason: str | None = None,
               unit_id: str | None = None) -> Step:
    """A plain transition (accept, resolve, reopen, close, cancel …) to the status the table names."""
    target = check(case, action)
    assert target is not None
    return Step(action, record(case, to=target, actor=actor, now=now, reason=reason, action=action, unit_id=unit_id))


def add_progress(case: Case, *, actor: ActorInfo, now: datetime, note: str, photo_refs: list[str]) -> Step:
    """A progress note (with photos by reference); the case is in progress from then on."""
    step = transition(case, "progress", actor=actor, now=now, reason=note)
    case.progress.append({"at": now.isoformat(), "actor_kind": actor.kind, "actor_id": actor.id,
                          "actor_name": actor.name, "note": note, "photo_refs": list(photo_refs)})
    step.extra = {"photo_refs": list(photo_refs)}
    return step


def resolve(case: Case, *, actor: ActorInfo, now: datetime, resolution: str | None) -> Step:
    """Resolve the case; the resident will be asked to rate it."""
    step = transition(case, "resolve", actor=actor, now=now, reason=resolution)
    case.resolution = resolution
    step.extra = {"resolution": resolution}
    return step


def hand_back(case: Case, *, actor: ActorInfo, now: datetime, reason: str) -> Step:
    """Not our jurisdiction: the case goes back to the triage queue to be routed again."""
    if not reason.strip():
        raise InvalidTransition("a hand-back needs a reason")
    step = transition(case, "return", actor=actor, now=now, reason=reason)
    case.needs_triage = True
    return step


def escalate(case: Case, org: Organisation, rules: RuleSet, *, actor: ActorInfo, now: datetime,
             reason: str | None) -> Step:
    """Climb one tier: the tier's lead units join, tier 3+ whistles the departments, a new SLA applies."""
    if case.tier >= 4:
        raise InvalidTransition("the case is already at tier 4 (street centre); it cannot climb further")
    check(case, "escalate")
    from_tier = case.tier
    case.tier += 1
    community, compound = locate(org, case.community_id, case.compound_id)
    lead = [u for kind in tier_units(case.tier) for u in units_of_kind(org, kind, community, compound, case.place)]
    known = {u["unit_id"] for u in case.units}
    case.units = _unit_dicts([u for u in lead if u.unit_id not in known]) + case.units
    rule = rules.rule_for({"sub_category": case.sub_category, "class_code": case.class_code}).with_changes(
        {"tier": case.tier})
    new_depts = [d.code for d in pick_departments(org, rule, case.sub_category, case.domain)
                 if d.code not in case.departments]
    case.departments += new_depts
    for code in new_depts:
        case.dept_status[code] = "whistled"
    case.callback = case.callback or (rule.callback and bool(new_depts))
    case.sla_policy = escalated_policy(case)
    previous = record(case, to="escalated", actor=actor, now=now, reason=reason, action="escalate")
    return Step("escalate", previous, {"from_tier": from_tier, "sla_policy": case.sla_policy}, new_depts)


def escalated_policy(case: Case) -> str:
    """The SLA policy after a climb; a safety hazard keeps its quick answer."""
    if case.class_code == "safety" and case.tier >= 3:
        return "safety-escalated"
    return {3: "tier3-secretary", 4: "tier4-street"}.get(case.tier, case.sla_policy)


def reassign(case: Case, units: list[Unit], *, actor: ActorInfo, now: datetime, reason: str | None) -> Step:
    """Replace the case's units by hand (re-routed as case.routed.v1)."""
    if not units:
        raise InvalidTransition("reassign needs at least one known unit")
    step = transition(case, "reassign", actor=actor, now=now, reason=reason)
    case.units = _unit_dicts([u for u in units if u.kind != "department"]) or case.units
    step.new_departments = [u.unit_id.removeprefix("dept:") for u in units if u.kind == "department"
                            and u.unit_id.removeprefix("dept:") not in case.departments]
    case.departments += step.new_departments
    for code in step.new_departments:
        case.dept_status[code] = "whistled"
    case.needs_triage = False
    return step


def merge(case: Case, reporter: dict[str, Any], *, actor: ActorInfo, now: datetime, score: float) -> Step:
    """A further request joins the case as a duplicate; the status does not change."""
    check(case, "merge")
    case.reporters.append(reporter)
    reason = f"重复诉求合并（相似度 {score:.2f}）"
    previous = record(case, to=case.status, actor=actor, now=now, reason=reason, action="merge")
    return Step("merge", previous, {"request_id": reporter["request_id"],
                                    "tracking_code": reporter.get("tracking_code")})
