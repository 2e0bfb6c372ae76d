"""Routing a submitted request: classify, pick tier, units and departments, store the case and its events."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from contracts.envelope import Envelope
from contracts.events.intake import RequestSubmitted
from router.domain.case import ActorInfo, Case, record
from router.domain.classification import Classification, by_hint_and_rules, from_model_label
from router.domain.lifecycle import Step
from router.domain.routing import UnknownPlace, decide_route
from router.handlers.context import Context
from router.messages import routed_event, whistle_events

CASE_NS = uuid.UUID("5b0f3c1e-6a43-4f1e-9d7a-2f6c1f0b9a11")
SYSTEM = ActorInfo("system", "router", "自动分拨")


def case_id_for(request_id: str) -> str:
    """A stable case id for the request that opens it (a replayed event maps to the same case)."""
    return "C" + uuid.uuid5(CASE_NS, request_id).hex[:16].upper()


def classify(ctx: Context, req: RequestSubmitted) -> tuple[Classification | None, dict[str, object] | None]:
    """Hint and rules first; then the model when confident enough; else None (triage) with its suggestion."""
    hint = req.category_hint
    decided = by_hint_and_rules(f"{req.title or ''} {req.text}", hint.class_code if hint else None,
                                hint.sub_category if hint else None)
    if decided is not None or ctx.model is None:
        return _with_domain(ctx, req, decided), None
    try:
        label, confidence = ctx.model.predict([f"{req.title or ''}\n{req.text}"])[0]
    except Exception:
        ctx.log.exception("classifier failed; the case goes to manual triage", extra={"request_id": req.request_id})
        return None, None
    guess = from_model_label(label, confidence)
    suggestion = {"label": label, "confidence": round(float(confidence), 4)}
    if guess is not None and confidence >= ctx.triage_threshold:
        return _with_domain(ctx, req, guess), suggestion
    return None, suggestion


def _with_domain(ctx: Context, req: RequestSubmitted, decided: Classification | None) -> Classification | None:
    """Add the department domain (e.g. 城乡建设) from the domain model when one is loaded and sure enough."""
    if decided is None or ctx.domain_model is None:
        return decided
    try:
        label, confidence = ctx.domain_model.predict([f"{req.title or ''}\n{req.text}"])[0]
    except Exception:
        ctx.log.exception("domain model failed; whistles use sub-categories only")
        return decided
    if confidence < ctx.triage_threshold:
        return decided
    return replace(decided, domain=label)


def assign_route(ctx: Context, case: Case, decided: Classification | None, *, now: datetime,
                 actor: ActorInfo, reason: str) -> Step:
    """Set category, tier, units and departments on the case and record the routing; the step names new whistles."""
    rules = ctx.directory.rules
    if decided is not None:
        case.class_code, case.sub_category = decided.class_code, decided.sub_category
        case.classified_by, case.confidence = decided.classified_by, decided.confidence
        case.matched, case.domain = list(decided.matched), decided.domain or case.domain
    case.needs_triage = decided is None
    case.emergency = bool(rules.is_emergency(f"{case.title or ''} {case.text}"))
    facts = {**{k: case.place.get(k) for k in ("district_id", "street_id", "community_id")},
             "class_code": case.class_code if decided else None, "sub_category": case.sub_category if decided else None}
    rule = rules.rule_for(facts, emergency=case.emergency) if decided or case.emergency else rules.triage
    try:
        decision = decide_route(ctx.directory.org, rule, case.place, case.sub_category, case.domain)
        units, depts = decision.units, [d.code for d in decision.departments]
    except UnknownPlace as exc:
        case.needs_triage, units, depts, reason = True, (), [], str(exc)
    case.tier, case.sla_policy, case.callback = rule.tier, rule.sla_policy, rule.callback
    case.units = [{"unit_id": u.unit_id, "kind": u.kind, "name": u.name} for u in units]
    new_depts = [d for d in depts if d not in case.departments]
    case.departments = list(dict.fromkeys([*case.departments, *depts]))
    for code in new_depts:
        case.dept_status[code] = "whistled"
    target = "triage" if case.needs_triage else "whistled" if case.departments else "assigned"
    previous = record(case, to=target, actor=actor, now=now, reason=reason, action="route")
    case.routed_at = now
    return Step("route", previous, new_departments=new_depts)


def apply_route(ctx: Context, case: Case, decided: Classification | None, *, now: datetime,
                actor: ActorInfo, cause: Envelope | None, reason: str) -> list[Envelope]:
    """Route the case and return case.routed.v1 and the whistles."""
    step = assign_route(ctx, case, decided, now=now, actor=actor, reason=reason)
    return [routed_event(case, now=now, cause=cause),
            *issue_whistles(ctx, case, step.new_departments, now=now, cause=cause)]


def issue_whistles(ctx: Context, case: Case, dept_codes: list[str], *, now: datetime,
                   cause: Envelope | None) -> list[Envelope]:
    """whistle.issued.v1 for these departments, with the first reporter's contact when a call-back is due."""
    contact = ctx.opener.open(case.reporters[0].get("contact_sealed")) if case.callback and case.reporters else None
    minutes = ctx.directory.rules.response_minutes.get(case.sla_policy)
    return whistle_events(case, ctx.directory.org, dept_codes, contact=contact, respond_within_minutes=minutes,
                          now=now, cause=cause)


def new_case(ctx: Context, req: RequestSubmitted, now: datetime) -> Case:
    """A case opened by a request, before routing; street, district and grid filled in from the organisation.

    The grid is the one the router assigns by (named, the building's, else the compound's first), so every
    service places the case in the same grid.
    """
    place = req.place.model_dump(mode="json", exclude_none=True)
    community = req.place.community_id
    known = ctx.directory.org.communities.get(community)
    if known is not None:
        place.setdefault("street_id", known.street_id)
        place.setdefault("district_id", known.district_id)
        path = ctx.directory.paths.place(community_id=community, compound_id=place.get("compound_id"),
                                         grid_id=place.get("grid_id"), building=place.get("building"))
        if len(path) == 5:
            place["grid_id"] = path[4]
    reporter = reporter_of(req)
    return Case(
        case_id=case_id_for(req.request_id), community_id=community, place=place, text=req.text, title=req.title,
        class_code="livelihood", sub_category=None, classified_by="none", tier=1, sla_policy="standard",
        status="submitted", submitted_at=req.submitted_at.astimezone(UTC), routed_at=now, updated_at=now,
        reporters=[reporter], channel=req.channel)


def reporter_of(req: RequestSubmitted) -> dict[str, object]:
    """What the case keeps about one reporter (the contact stays sealed)."""
    return {"request_id": req.request_id, "tracking_code": req.tracking_code, "contact_sealed": req.contact_sealed,
            "channel": req.channel, "submitted_at": req.submitted_at.isoformat()}
