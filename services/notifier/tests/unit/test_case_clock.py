"""How case events move a case's SLA clock: routing, accept, escalate, hand-back, reopen, pause, stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts.events.cases import (
    CaseAccepted,
    CaseCancelled,
    CaseEscalated,
    CaseProgressed,
    CaseReopened,
    CaseResolved,
    CaseReturned,
)
from notifier.domain.case_clock import ClockStatus
from notifier.domain.lifecycle import on_routed, on_transition
from notifier.domain.timers import TimerKind

MON_10 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # Monday 10:00 Asia/Shanghai


def route(rules, events, *, sub="leak", cls="dispute", tier=1, at=MON_10):
    payload = events.routed("c1", sub=sub, cls=cls, tier=tier, at=at).payload()
    return on_routed(None, payload, at=at, start=at, rules=rules).case


def apply(case, rules, events, model, *, at, **kw):
    return on_transition(case, events.transition(model, "c1", at=at, **kw).payload(), at=at, rules=rules)


def test_a_leak_must_be_answered_within_30_minutes_and_gets_warnings_at_half_and_eight_tenths(rules, events):
    case = route(rules, events)
    assert case.policy == "leak-urgent" and case.status is ClockStatus.RUNNING
    assert case.response.due == MON_10 + timedelta(minutes=30)
    response = [t for t in case.timers(rules.calendar) if t.deadline == "response"]
    assert [(t.kind, t.fraction, t.due_at) for t in response] == [
        (TimerKind.WARNING, 0.5, MON_10 + timedelta(minutes=15)),
        (TimerKind.WARNING, 0.8, MON_10 + timedelta(minutes=24)),
        (TimerKind.BREACH, 1.0, MON_10 + timedelta(minutes=30))]


def test_a_tier_4_case_routed_on_friday_evening_is_due_two_working_days_later(rules, events):
    friday_18 = datetime(2025, 3, 7, 10, 0, tzinfo=UTC)
    case = route(rules, events, sub="noise", tier=4, at=friday_18)
    assert case.policy == "tier4-street"
    assert case.response.due == datetime(2025, 3, 11, 9, 0, tzinfo=UTC)  # Tuesday 17:00 Shanghai


def test_accepting_stops_only_the_response_clock(rules, events):
    case = route(rules, events)
    outcome = apply(case, rules, events, CaseAccepted, at=MON_10 + timedelta(minutes=5))
    assert outcome.rescheduled and outcome.case.response is None
    assert {t.deadline for t in outcome.case.timers(rules.calendar)} == {"resolution"}
    assert outcome.case.timers(rules.calendar)[0].timer_id in {t.timer_id for t in case.timers(rules.calendar)}


def test_escalation_restarts_both_clocks_under_the_new_tiers_policy(rules, events):
    case = route(rules, events, sub="noise")
    later = MON_10 + timedelta(hours=25)
    outcome = apply(case, rules, events, CaseEscalated, at=later, tier=3, from_tier=1)
    assert outcome.case.tier == 3 and outcome.case.policy == "tier3-secretary"
    assert outcome.case.response.start == later and outcome.case.response.due == later + timedelta(hours=24)


def test_a_handed_back_case_gets_a_fresh_response_time_but_keeps_its_resolution_deadline(rules, events):
    case = route(rules, events)
    later = MON_10 + timedelta(hours=2)
    outcome = apply(case, rules, events, CaseReturned, at=later)
    assert outcome.case.response.due == later + timedelta(minutes=30)
    assert outcome.case.resolution == case.resolution


def test_resolving_stops_every_timer_and_reopening_starts_them_again(rules, events):
    case = route(rules, events)
    resolved = apply(case, rules, events, CaseResolved, at=MON_10 + timedelta(hours=1)).case
    assert resolved.status is ClockStatus.STOPPED and resolved.timers(rules.calendar) == []
    assert apply(resolved, rules, events, CaseAccepted, at=MON_10 + timedelta(hours=2)) is None
    reopen_at = MON_10 + timedelta(days=2)
    reopened = apply(resolved, rules, events, CaseReopened, at=reopen_at).case
    assert reopened.status is ClockStatus.RUNNING and reopened.response.due == reopen_at + timedelta(minutes=30)


def test_waiting_for_the_resident_pauses_and_the_deadline_moves_by_the_pause(rules, events):
    case = route(rules, events, sub="sanitation", cls="livelihood")
    paused = apply(case, rules, events, CaseProgressed, at=MON_10 + timedelta(minutes=10),
                   status="waiting_resident").case
    assert paused.status is ClockStatus.PAUSED and paused.timers(rules.calendar) == []
    resumed = apply(paused, rules, events, CaseProgressed, at=MON_10 + timedelta(hours=3), status="in_progress").case
    assert resumed.status is ClockStatus.RUNNING
    assert resumed.response.due == case.response.due + timedelta(hours=2, minutes=50)


def test_a_cancellation_arriving_before_the_routing_keeps_the_late_routing_from_starting_timers(rules, events):
    tomb = apply(None, rules, events, CaseCancelled, at=MON_10).case
    assert tomb.status is ClockStatus.STOPPED
    late = on_routed(tomb, events.routed("c1").payload(), at=MON_10, start=MON_10, rules=rules)
    assert late is None
    assert apply(None, rules, events, CaseAccepted, at=MON_10) is None
