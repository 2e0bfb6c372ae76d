"""Translating cases into the router's outgoing events (case.routed.v1, whistle.issued.v1, transitions)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from contracts.envelope import Envelope, new_event
from contracts.events.cases import (
    CaseAccepted,
    CaseCancelled,
    CaseClosed,
    CaseEscalated,
    CaseMerged,
    CaseProgressed,
    CaseReopened,
    CaseResolved,
    CaseReturned,
    CaseRouted,
    CaseTransition,
    WhistleIssued,
)
from contracts.events.common import Actor, CategoryRef, Contact, Place, UnitRef
from router.domain.case import ActorInfo, Case
from router.domain.org import Organisation

SOURCE = "/whistle/router"


def category_ref(case: Case) -> CategoryRef:
    """The case's category as carried in events."""
    return CategoryRef(class_code=case.class_code, sub_category=case.sub_category, domain=case.domain)


def unit_refs(case: Case) -> list[UnitRef]:
    """The case's units as carried in events."""
    return [UnitRef(unit_id=u["unit_id"], kind=u["kind"], name=u["name"]) for u in case.units]


def routed_event(case: Case, *, now: datetime, cause: Envelope | None, event_id: str | None = None) -> Envelope:
    """case.routed.v1 for a new or re-routed case."""
    data = CaseRouted(
        case_id=case.case_id, request_ids=case.request_ids,
        tracking_code=case.reporters[0].get("tracking_code") if case.reporters else None,
        channel=case.channel, place=Place.model_validate(case.place), category=category_ref(case),
        classified_by=case.classified_by, confidence=case.confidence, tier=case.tier, units=unit_refs(case),
        departments=list(case.departments), sla_policy=case.sla_policy, emergency=case.emergency,
        needs_triage=case.needs_triage, text=case.text[:4000], submitted_at=case.submitted_at, routed_at=now)
    return new_event(data, source=SOURCE, subject=case.case_id, now=now, cause=cause, event_id=event_id)


def whistle_events(case: Case, org: Organisation, dept_codes: list[str], *, contact: Contact | None,
                   respond_within_minutes: int | None, now: datetime, cause: Envelope | None) -> list[Envelope]:
    """One whistle.issued.v1 per department; the contact only when the rule asks for a call-back."""
    events = []
    for code in dept_codes:
        dept = org.departments.get(code)
        data = WhistleIssued(
            case_id=case.case_id, dept_code=code, dept_name=dept.name if dept else code,
            tracking_code=case.reporters[0].get("tracking_code") if case.reporters else None,
            category=category_ref(case), place=Place.model_validate(case.place),
            summary=((case.title + "：") if case.title else "") + case.text[:3900], tier=case.tier,
            joint_units=unit_refs(case), contact=contact if case.callback else None,
            respond_within_minutes=respond_within_minutes, issued_at=now)
        events.append(new_event(data, source=SOURCE, subject=case.case_id, now=now, cause=cause))
    return events


TRANSITION_EVENTS: dict[str, type[CaseTransition]] = {
    "accept": CaseAccepted, "progress": CaseProgressed, "resolve": CaseResolved, "return": CaseReturned,
    "escalate": CaseEscalated, "reopen": CaseReopened, "close": CaseClosed, "cancel": CaseCancelled,
    "merge": CaseMerged,
}


def transition_event(case: Case, *, action: str, previous: str, actor: ActorInfo, now: datetime,
                     cause: Envelope | None, reason: str | None = None, unit_id: str | None = None,
                     extra: dict[str, Any] | None = None) -> Envelope:
    """The case.<transition>.v1 event of one state change, with the audit facts."""
    model = TRANSITION_EVENTS[action]
    fields = dict(extra or {})
    if action == "escalate":
        fields["units"] = unit_refs(case)
    data = model(case_id=case.case_id, community_id=case.community_id, from_status=previous, status=case.status,
                 tier=case.tier, actor=Actor(kind=actor.kind, id=actor.id, name=actor.name),
                 reason=(reason or None) and reason[:1000], unit_id=unit_id, occurred_at=now, **fields)
    return new_event(data, source=SOURCE, subject=case.case_id, now=now, cause=cause)
