"""Every v1 event type mapped to its payload model, and the routing key it travels under."""

from __future__ import annotations

from contracts.envelope import Envelope, EventData
from contracts.events import cases, department, intake, reports, sla

EVENT_MODELS: tuple[type[EventData], ...] = (
    intake.RequestSubmitted,
    intake.RequestCancelled,
    intake.FeedbackSubmitted,
    cases.CaseRouted,
    cases.WhistleIssued,
    cases.CaseAccepted,
    cases.CaseProgressed,
    cases.CaseEscalated,
    cases.CaseReturned,
    cases.CaseResolved,
    cases.CaseReopened,
    cases.CaseClosed,
    cases.CaseCancelled,
    cases.CaseMerged,
    department.DeptCaseAccepted,
    department.DeptCaseProgress,
    department.DeptCaseResolved,
    department.DeptCaseReturned,
    sla.SlaScheduled,
    sla.SlaWarning,
    sla.SlaBreached,
    sla.ReminderDue,
    sla.NotificationSent,
    sla.NotificationFailed,
    reports.HotspotDetected,
)

BY_TYPE: dict[str, type[EventData]] = {m.event_type: m for m in EVENT_MODELS}


class UnknownEventType(KeyError):
    """Raised for an event type this version of the contracts does not know."""


def model_for(event_type: str) -> type[EventData]:
    """Return the payload model of an event type."""
    try:
        return BY_TYPE[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def routing_key(envelope: Envelope) -> str:
    """The routing key an event is published under: its type, or whistle.<dept>.v1 for whistles."""
    if envelope.type == cases.WhistleIssued.event_type:
        return whistle_routing_key(str(envelope.data["dept_code"]))
    return envelope.type


def whistle_routing_key(dept_code: str) -> str:
    """Routing key of the whistle events for one department."""
    return f"whistle.{dept_code}.v1"
