"""Use cases: apply a case event to its SLA clock, fire a due timer."""

from __future__ import annotations

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


async def handle_case_event(deps: Deps, envelope: Envelope) -> str:
    """Apply one case.*.v1 (or whistle, hotspot) event; returns 'applied', 'duplicate' or 'ignored'.

    Notifications are stored after the clock, under ids derived from the event, so a redelivery after a
    crash in between adds exactly the missing ones.
    """
    payload = envelope.payload()
    outcome = await _outcome(deps, payload)
    result = "ignored"
    if outcome is not None:
        case = outcome.case
        events = [_scheduled(case, envelope, deps.clock)] if outcome.rescheduled else []
        saved = await deps.timers.save_case(case, timers=case.timers(deps.rules.calendar), events=events,
                                            event_id=envelope.id)
        result = "applied" if saved else "duplicate"
        if saved and events:
            deps.wake_outbox()
    if deps.delivery is not None:
        await _notify(deps, deps.delivery, envelope, payload)
    deps.metrics.events.labels(envelope.type, result).inc()
    return result


async def _notify(deps: Deps, delivery: Delivery, envelope: Envelope, payload: EventData) -> None:
    case_id = getattr(payload, "case_id", None)
    wants_case = isinstance(payload, CaseTransition | CaseRouted) and case_id
    case = await deps.timers.get_case(case_id) if wants_case else None
    planned = await notify_events.for_event(delivery, envelope, payload, case=case, clock=deps.clock)
    if planned and await delivery.notifications.add(planned):
        deps.wake_delivery()


async def _outcome(deps: Deps, payload: EventData) -> Outcome | None:
    if isinstance(payload, CaseRouted):
        current = await deps.timers.get_case(payload.case_id)
        start = deps.clock.virtual(payload.submitted_at or payload.routed_at)
        return on_routed(current, payload, at=deps.clock.virtual(payload.routed_at),
                         start=min(start, deps.clock.virtual(payload.routed_at)), rules=deps.rules)
    if isinstance(payload, CaseTransition):
        current = await deps.timers.get_case(payload.case_id)
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


async def fire_timer(deps: Deps, timer: Timer, *, lease_owner: str) -> bool:
    """Publish the timer's event through the outbox; False when the lease was lost (someone else fired)."""
    now = deps.clock.now()
    if timer.kind is TimerKind.REMINDER:
        asset = await deps.timers.get_asset(timer.case_id.removeprefix("asset:"))
        event = reminder_event(timer, asset, now=now)
        planned = notify_events.for_reminder(deps.delivery, timer, asset, now=now) if deps.delivery else []
    else:
        event = timer_event(timer, now=now)
        case = await deps.timers.get_case(timer.case_id) if deps.delivery else None
        planned = notify_events.for_timer(deps.delivery, timer, case=case, now=now) if deps.delivery else []
    if deps.delivery is not None and planned:  # stored first, under ids derived from the timer: a retry adds nothing
        await deps.delivery.notifications.add(planned)
    fired = await deps.timers.complete_timer(timer, lease_owner=lease_owner, fired_at=now, events=[event])
    if fired:
        deps.metrics.timers_fired.labels(str(timer.kind), timer.deadline).inc()
        deps.metrics.fire_latency.observe(max((now - timer.due_at).total_seconds(), 0.0))
        deps.wake_outbox()
        deps.wake_delivery()
    else:
        deps.metrics.timers_lost.inc()
    return fired


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
