"""Which events reach people: whistles to departments, hot issues to staff, status to residents, SLA alerts."""

from __future__ import annotations

from datetime import datetime

from contracts.envelope import Envelope, EventData
from contracts.events.cases import CaseRouted, CaseTransition, WhistleIssued
from contracts.events.reports import HotspotDetected
from notifier.adapters.clock import Clock
from notifier.domain import messages
from notifier.domain.assets import Asset
from notifier.domain.case_clock import CaseClock
from notifier.domain.notifications import Audience, Notification
from notifier.domain.timers import Timer, TimerKind
from notifier.notify import Delivery, plan, resident_recipients, unit_recipients


async def for_event(delivery: Delivery, envelope: Envelope, payload: EventData, *, case: CaseClock | None,
                    clock: Clock) -> list[Notification]:
    """The notifications an incoming event causes (stored before the event is acknowledged)."""
    now = clock.virtual(envelope.time)
    if isinstance(payload, WhistleIssued):
        message = messages.whistle(dept_name=payload.dept_name, summary=payload.summary,
                                   address=payload.place.address, minutes=payload.respond_within_minutes)
        return plan(cause=envelope.id, case_id=payload.case_id, audience=Audience.DEPARTMENT, message=message,
                    recipients=unit_recipients(delivery.directory, [payload.dept_code]), now=now,
                    quiet=delivery.quiet, data={"dept_code": payload.dept_code, "tier": payload.tier})
    if isinstance(payload, CaseRouted):
        duty = _on_duty(delivery, payload.place.community_id, payload.place.street_id, now)
        if not duty:
            return []
        due = case.response.due if case and case.response else None
        message = messages.duty_arrival(case_id=payload.case_id, summary=payload.text, response_due=due)
        return plan(cause=envelope.id, case_id=payload.case_id, audience=Audience.STAFF, message=message, now=now,
                    recipients=unit_recipients(delivery.directory, [duty]), quiet=delivery.quiet,
                    data={"tier": payload.tier})
    if isinstance(payload, HotspotDetected):
        message = messages.hotspot(place=payload.place, terms=payload.terms, count=len(payload.request_ids))
        staff = delivery.directory.staff_of(payload.community_id)
        return plan(cause=envelope.id, case_id=None, audience=Audience.STAFF, message=message, now=now,
                    recipients=unit_recipients(delivery.directory, staff), quiet=delivery.quiet,
                    data={"hotspot_id": payload.hotspot_id, "community_id": payload.community_id})
    if isinstance(payload, CaseTransition):
        update = messages.resident_update(envelope.type, ref=payload.case_id)
        subscribers = await delivery.notifications.subscribers(payload.case_id) if update else []
        if not update or not subscribers:
            return []
        refs = {ref for _, ref in subscribers if ref}
        message = messages.resident_update(envelope.type, ref=sorted(refs)[0] if refs else payload.case_id)
        urgent = bool(case and case.emergency and case.category_class == "safety")
        return plan(cause=envelope.id, case_id=payload.case_id, audience=Audience.RESIDENT, message=message,  # type: ignore[arg-type]
                    recipients=resident_recipients([e for e, _ in subscribers]), now=now, quiet=delivery.quiet,
                    urgent=urgent, data={"status": payload.status})
    return []


def for_timer(delivery: Delivery, timer: Timer, *, case: CaseClock | None, now: datetime) -> list[Notification]:
    """A warning goes to the case's assignees; a breach to the supervisor of the community (by tier)."""
    if timer.kind is TimerKind.WARNING:
        message = messages.sla_warning(case_id=timer.case_id, deadline=timer.deadline, due_at=timer.deadline_at,
                                       fraction=timer.fraction)
        units: list[str] = list(case.units) if case else []
        duty = _on_duty(delivery, timer.community_id, case.street_id if case else None, now)
        units += [duty] if duty else []
    else:
        message = messages.sla_breach(case_id=timer.case_id, deadline=timer.deadline, due_at=timer.deadline_at,
                                      tier=timer.tier)
        supervisor = delivery.directory.supervisor_of(timer.community_id, timer.tier)
        units = [supervisor] if supervisor else []
    return plan(cause=timer.timer_id, case_id=timer.case_id, audience=Audience.STAFF, message=message,
                recipients=unit_recipients(delivery.directory, units), now=now, quiet=delivery.quiet,
                data={"deadline": timer.deadline, "kind": str(timer.kind), "tier": timer.tier})


def for_reminder(delivery: Delivery, timer: Timer, asset: Asset | None, *, now: datetime) -> list[Notification]:
    """An asset reminder goes to its responsible units (e.g. grid workers) and the community's secretary."""
    if asset is None:
        return []
    message = messages.reminder(title=asset.title, due=timer.deadline_at, again=timer.fraction >= 1.0)
    community = delivery.directory.communities.get(asset.community_id)
    units = [*asset.unit_ids, *([community.secretary] if community and community.secretary else [])]
    return plan(cause=timer.timer_id, case_id=None, audience=Audience.STAFF, message=message, now=now,
                recipients=unit_recipients(delivery.directory, units), quiet=delivery.quiet,
                data={"asset_id": asset.asset_id, "kind": asset.kind, "community_id": asset.community_id})


def _on_duty(delivery: Delivery, community_id: str | None, street_id: str | None, at: datetime) -> str | None:
    """The unit on duty at `at` off hours (None in working hours or without a roster)."""
    if delivery.roster is None:
        return None
    return delivery.roster.on_duty(community_id=community_id, street_id=street_id, at=at)
