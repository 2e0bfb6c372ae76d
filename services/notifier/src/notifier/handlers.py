"""Use cases: apply a case event to its SLA clock, fire a due timer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from contracts.envelope import Envelope, EventData, new_event
from contracts.events.cases import CaseRouted, CaseTransition
from contracts.events.sla import ReminderDue, SlaBreached, SlaScheduled, SlaWarning
from notifier import notify_events
from notifier.adapters.clock import Clock
from notifier.adapters.repository import TimerRepository
from notifier.domain.assets import Asset, reminder_timers
from notifier.domain.case_clock import CaseClock, SlaRules
from notifier.domain.lifecycle import Outcome, on_routed, on_transition
from notifier.domain.notifications import Notification
from notifier.domain.timers import Timer, TimerKind
from notifier.ids import SOURCE, derived_id
from notifier.metrics import NotifierMetrics
from notifier.notify import Delivery


@dataclass
class Deps:
    """What the use cases need; built by bootstrap."""

    timers: TimerRepository
    rules: SlaRules
    clock: Clock
    metrics: NotifierMetrics
    wake_outbox: Callable[[], None] = lambda: None
    delivery: Delivery | None = None
    wake_delivery: Callable[[], None] = lambda: None
    # Told the earliest due instant of a case's timers after they are stored (the scheduler wakes if needed).
    wake_timers: Callable[[datetime], None] = lambda due_at: None


async def handle_case_event(deps: Deps, envelope: Envelope) -> str:
    """Apply one case.*.v1 (or whistle, hotspot) event; returns 'applied', 'duplicate' or 'ignored'.

    Notifications are stored after the clock, under ids derived from the event, so a redelivery after a
    crash in between adds exactly the missing ones.
    """
    payload = envelope.payload()
    about_case = isinstance(payload, CaseRouted | CaseTransition)
    case = await deps.timers.get_case(payload.case_id) if about_case else None  # type: ignore[union-attr]
    outcome = _outcome(deps, payload, case)
    result = "ignored"
    if outcome is not None:
        events = [_scheduled(outcome.case, envelope, deps.clock)] if outcome.rescheduled else []
        timers = outcome.case.timers(deps.rules.calendar)
        saved = await deps.timers.save_case(outcome.case, timers=timers, events=events, event_id=envelope.id)
        result = "applied" if saved else "duplicate"
        # What is stored now: this outcome, or for a duplicate whatever the first delivery stored.
        case = outcome.case if saved else await deps.timers.get_case(outcome.case.case_id)
        if saved and events:
            deps.wake_outbox()
        if saved and timers:
            deps.wake_timers(min(t.due_at for t in timers))
    if deps.delivery is not None:
        await _notify(deps, deps.delivery, envelope, payload, case)
    deps.metrics.events.labels(envelope.type, result).inc()
    return result


async def _notify(deps: Deps, delivery: Delivery, envelope: Envelope, payload: EventData,
                  case: CaseClock | None) -> None:
    planned = await notify_events.for_event(delivery, envelope, payload, case=case, clock=deps.clock)
    if planned and await delivery.notifications.add(planned):
        deps.wake_delivery()


def _outcome(deps: Deps, payload: EventData, current: CaseClock | None) -> Outcome | None:
    if isinstance(payload, CaseRouted):
        start = deps.clock.virtual(payload.submitted_at or payload.routed_at)
        return on_routed(current, payload, at=deps.clock.virtual(payload.routed_at),
                         start=min(start, deps.clock.virtual(payload.routed_at)), rules=deps.rules)
    if isinstance(payload, CaseTransition):
        return on_transition(current, payload, at=deps.clock.virtual(payload.occurred_at), rules=deps.rules)
    return None


def _scheduled(case: CaseClock, cause: Envelope, clock: Clock) -> Envelope:
    data = SlaScheduled(
        case_id=case.case_id, community_id=case.community_id, tier=case.tier, sla_policy=case.policy,
        response_due=case.response.due if case.response else None,
        resolution_due=case.resolution.due if case.resolution else None,
        scheduled_at=case.updated_at or clock.now())
    return new_event(data, source=SOURCE, subject=case.case_id, cause=cause, now=clock.now(),
                     event_id=derived_id(cause.id, "sla.scheduled"))


def timer_event(timer: Timer, *, now: datetime) -> Envelope:
    """The event a timer publishes when it fires: a warning or a breach."""
    data: EventData
    if timer.kind is TimerKind.WARNING:
        data = SlaWarning(case_id=timer.case_id, community_id=timer.community_id, deadline=timer.deadline,
                          due_at=timer.deadline_at, fraction=timer.fraction, tier=timer.tier, warned_at=now)
    else:
        data = SlaBreached(case_id=timer.case_id, community_id=timer.community_id, deadline=timer.deadline,
                           due_at=timer.deadline_at, tier=timer.tier, breached_at=now)
    return new_event(data, source=SOURCE, subject=timer.case_id, now=now,
                     event_id=derived_id(timer.timer_id, "fired"))


async def fire_timers(deps: Deps, timers: list[Timer], *, lease_owner: str, log: logging.Logger) -> int:
    """Fire a claim's timers: notifications stored first, then every timer completed in one write with its event.

    A timer whose lease was lost (another replica took it over) is not fired here; returns how many were.
    """
    now = deps.clock.now()
    events: dict[str, list[Envelope]] = {}
    planned = []
    cases = await deps.timers.get_cases(
        [t.case_id for t in timers if t.kind is not TimerKind.REMINDER]) if deps.delivery else {}
    for timer in timers:
        try:
            event, notes = await _fire_plan(deps, timer, now=now, case=cases.get(timer.case_id))
        except Exception:
            # Its lease runs out and this or another replica tries again; one bad timer blocks nothing.
            log.exception("planning a timer's event failed; it will be retried after its lease",
                           extra={"timer_id": timer.timer_id, "case_id": timer.case_id})
            continue
        events[timer.timer_id] = [event]
        planned += notes
    if deps.delivery is not None and planned:  # stored first, under ids derived from the timer: a retry adds nothing
        await deps.delivery.notifications.add(planned)
    ready = [t for t in timers if t.timer_id in events]
    fired = await deps.timers.complete_timers(ready, lease_owner=lease_owner, fired_at=now, events=events)
    for timer in ready:
        if timer.timer_id in fired:
            deps.metrics.timers_fired.labels(str(timer.kind), timer.deadline).inc()
            deps.metrics.fire_latency.observe(max((now - timer.due_at).total_seconds(), 0.0))
        else:
            deps.metrics.timers_lost.inc()
    if fired:
        deps.wake_outbox()
        deps.wake_delivery()
    return len(fired)


async def _fire_plan(deps: Deps, timer: Timer, *, now: datetime,
                     case: CaseClock | None) -> tuple[Envelope, list[Notification]]:
    """The event a timer publishes and the notifications it causes."""
    if timer.kind is TimerKind.REMINDER:
        asset = await deps.timers.get_asset(timer.case_id.removeprefix("asset:"))
        notes = notify_events.for_reminder(deps.delivery, timer, asset, now=now) if deps.delivery else []
        return reminder_event(timer, asset, now=now), notes
    notes = notify_events.for_timer(deps.delivery, timer, case=case, now=now) if deps.delivery else []
    return timer_event(timer, now=now), notes


def reminder_event(timer: Timer, asset: Asset | None, *, now: datetime) -> Envelope:
    """reminder.due.v1 for an asset register's reminder."""
    data = ReminderDue(
        reminder_id=timer.timer_id, asset_id=timer.case_id.removeprefix("asset:"),
        kind=asset.kind if asset else "unknown", title=asset.title if asset else timer.case_id,
        community_id=timer.community_id, due_date=timer.deadline_at,
        unit_ids=list(asset.unit_ids) if asset else [], raised_at=now)
    return new_event(data, source=SOURCE, subject=data.asset_id, now=now, event_id=derived_id(timer.timer_id, "fired"))


async def import_assets(deps: Deps, assets: list[Asset]) -> int:
    """Store register entries and (re)plan their reminders; re-importing the same file changes nothing."""
    for asset in assets:
        await deps.timers.save_asset(asset, timers=reminder_timers(asset))
    return len(assets)


async def record_done(deps: Deps, asset_id: str, done_on: date) -> Asset | None:
    """The inspection or task was done: the next one is planned and the pending reminders stop."""
    asset = await deps.timers.get_asset(asset_id)
    if asset is None:
        return None
    moved = replace(asset, last_done=max(asset.last_done, done_on))
    await deps.timers.save_asset(moved, timers=reminder_timers(moved))
    return moved
