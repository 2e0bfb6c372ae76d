"""How each case event changes a case's SLA clock (pure: the caller passes the instant)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from contracts.events.cases import CaseEscalated, CaseRouted, CaseTransition
from notifier.domain.case_clock import (
    PAUSE_STATUSES,
    STOP_TYPES,
    CaseClock,
    ClockStatus,
    SlaRules,
    deadline,
    pause,
    policy_of,
    restart,
    resume,
    stop,
)


@dataclass(frozen=True)
class Outcome:
    """The new clock, and whether its deadlines changed (then `sla.scheduled` is published)."""

    case: CaseClock
    rescheduled: bool


def on_routed(case: CaseClock | None, event: CaseRouted, *, at: datetime, start: datetime,
              rules: SlaRules) -> Outcome | None:
    """A new case starts both clocks at `start`; a re-routed one gives the new unit a fresh response time."""
    facts = {"community_id": event.place.community_id, "street_id": event.place.street_id,
             "district_id": event.place.district_id, "compound_id": event.place.compound_id,
             "grid_id": event.place.grid_id, "category_class": event.category.class_code,
             "sub_category": event.category.sub_category, "tier": event.tier,
             "units": tuple(u.unit_id for u in event.units), "emergency": event.emergency}
    if case is None:
        fresh = CaseClock(case_id=event.case_id, policy="", status=ClockStatus.RUNNING, **facts)  # type: ignore[arg-type]
        return Outcome(restart(fresh, rules, at=start), True)
    if case.status is ClockStatus.STOPPED:
        return None
    moved = restart(replace(case, **facts), rules, at=at, resolution=False)  # type: ignore[arg-type]
    if case.resolution is not None:
        policy = policy_of(moved, rules)
        moved = replace(moved, resolution=deadline("resolution", policy.resolution, case.resolution.start,
                                                   rules.calendar))
    return Outcome(moved, True)


def on_transition(case: CaseClock | None, event: CaseTransition, *, at: datetime,
                  rules: SlaRules) -> Outcome | None:
    """Accept stops the response clock, escalate/reopen restart both, return restarts the response clock."""
    kind = event.event_type
    if case is None:
        if kind in STOP_TYPES:  # arrived before case.routed: remember so a late routing starts nothing
            return Outcome(CaseClock(case_id=event.case_id, community_id=event.community_id, tier=event.tier,
                                     policy="", status=ClockStatus.STOPPED, updated_at=at), False)
        return None
    if kind in STOP_TYPES:
        return None if case.status is ClockStatus.STOPPED else Outcome(stop(case, at=at), False)
    if kind == "case.reopened.v1":
        return Outcome(restart(replace(case, tier=event.tier), rules, at=at), True)
    if case.status is ClockStatus.STOPPED:
        return None
    if isinstance(event, CaseEscalated):
        units = tuple(u.unit_id for u in event.units) or case.units
        return Outcome(restart(replace(case, tier=event.tier, units=units), rules, at=at), True)
    if kind == "case.returned.v1":
        return Outcome(restart(case, rules, at=at, resolution=False), True)
    return _pause_or_accept(case, event, at=at, rules=rules)


def _pause_or_accept(case: CaseClock, event: CaseTransition, *, at: datetime, rules: SlaRules) -> Outcome | None:
    waiting = event.status in PAUSE_STATUSES
    if waiting and case.status is ClockStatus.RUNNING:
        return Outcome(pause(case, at=at), True)
    changed = case
    if not waiting and case.status is ClockStatus.PAUSED:
        changed = resume(case, rules, at=at)
    if event.event_type == "case.accepted.v1" and changed.response is not None:
        changed = replace(changed, response=None, updated_at=at)
    return None if changed is case else Outcome(changed, True)
