"""The per-case fact: an order-independent, idempotent projection of the case's events."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

MAX_APPLIED = 1000
OPEN_STATUSES = frozenset({"routed", "accepted", "in_progress", "escalated", "returned", "reopened"})
DONE_STATUSES = frozenset({"resolved", "closed"})
STATUSES = ("routed", "accepted", "in_progress", "escalated", "returned", "resolved", "reopened", "closed",
            "cancelled")
# Lifecycle rank breaks ties between transitions stamped with the same instant, whatever the arrival order.
_RANK = {s: i for i, s in enumerate(STATUSES)}
TRANSITIONS = {
    "case.accepted.v1": "accepted", "case.progress.v1": "in_progress", "case.escalated.v1": "escalated",
    "case.returned.v1": "returned", "case.resolved.v1": "resolved", "case.reopened.v1": "reopened",
    "case.closed.v1": "closed", "case.cancelled.v1": "cancelled",
}


@dataclass(frozen=True)
class Event:
    """What the projection needs from an envelope: id, type and payload."""

    id: str
    type: str
    data: dict[str, Any]


@dataclass(frozen=True)
class CaseFact:
    """Everything reports knows about one case; times are UTC."""

    case_id: str
    request_ids: tuple[str, ...] = ()
    channel: str | None = None
    district_id: str | None = None
    street_id: str | None = None
    community_id: str | None = None
    compound_id: str | None = None
    grid_id: str | None = None
    class_code: str | None = None
    sub_category: str | None = None
    unit_id: str | None = None
    unit_name: str | None = None
    tier: int | None = None
    departments: tuple[str, ...] = ()
    text: str | None = None
    routed_at: datetime | None = None
    created_at: datetime | None = None
    status: str | None = None
    status_at: datetime | None = None
    status_event: str = ""
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    reopen_count: int = 0
    escalation_count: int = 0
    response_due: datetime | None = None
    resolution_due: datetime | None = None
    sla_at: datetime | None = None
    response_breached: bool = False
    resolution_breached: bool = False
    satisfied: bool | None = None
    rating: int | None = None
    rated_at: datetime | None = None
    rating_at: datetime | None = None
    applied_events: tuple[str, ...] = field(default=(), compare=False)
    version: int = field(default=0, compare=False)

    @property
    def routed(self) -> bool:
        """True once the routing facts (place, category) are known."""
        return self.community_id is not None and self.created_at is not None

    @property
    def is_open(self) -> bool:
        """Not yet resolved, closed or cancelled."""
        return self.status in OPEN_STATUSES or self.status is None


def ts(value: Any) -> datetime | None:
    """Parse an ISO timestamp (or pass a datetime) into an aware UTC datetime."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _min(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _max(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _later(at: datetime | None, than: datetime | None) -> bool:
    """True when `at` is not older than `than` (the newer value wins; equal times overwrite)."""
    return at is not None and (than is None or at >= than)


def apply_event(fact: CaseFact | None, event: Event) -> CaseFact | None:
    """Return the fact with this event applied, or None when it changes nothing (duplicate, unrelated)."""
    case_id = event.data.get("case_id")
    if not case_id or event.type not in _APPLIERS:
        return None
    current = fact or CaseFact(case_id=str(case_id))
    if event.id in current.applied_events:
        return None
    updated = _APPLIERS[event.type](current, event)
    applied = (*current.applied_events, event.id)[-MAX_APPLIED:]
    return replace(updated, applied_events=applied, version=current.version + 1)


def _routed(fact: CaseFact, event: Event) -> CaseFact:
    d = event.data
    at = ts(d["routed_at"])
    created = _min(fact.created_at, _min(ts(d.get("submitted_at")), at))
    fact = replace(fact, request_ids=tuple(sorted(set(fact.request_ids) | set(d.get("request_ids", [])))),
                   departments=tuple(sorted(set(fact.departments) | set(d.get("departments", [])))),
                   created_at=created)
    fact = _status(fact, "routed", at, event.id)
    if not _later(at, fact.routed_at):
        return fact
    place, category = d.get("place") or {}, d.get("category") or {}
    units = d.get("units") or []
    return replace(
        fact, routed_at=at, channel=d.get("channel") or fact.channel, tier=d.get("tier"),
        district_id=place.get("district_id"), street_id=place.get("street_id"),
        community_id=place.get("community_id"), compound_id=place.get("compound_id"),
        grid_id=place.get("grid_id"), class_code=category.get("class_code"),
        sub_category=category.get("sub_category"),
        unit_id=units[0]["unit_id"] if units else None, unit_name=units[0].get("name") if units else None,
        text=d.get("text") or fact.text,
    )


def _status(fact: CaseFact, status: str, at: datetime | None, event_id: str) -> CaseFact:
    """Keep the status of the latest transition; (time, rank, id) orders equal instants deterministically."""
    if at is None:
        return fact
    new_key = (at, _RANK.get(status, -1), event_id)
    if fact.status_at is not None:
        old_key = (fact.status_at, _RANK.get(fact.status or "", -1), fact.status_event)
        if new_key < old_key:
            return fact
    return replace(fact, status=status, status_at=at, status_event=event_id)


def _transition(fact: CaseFact, event: Event) -> CaseFact:
    at = ts(event.data.get("occurred_at"))
    status = TRANSITIONS[event.type]
    fact = _status(fact, status, at, event.id)
    if status == "accepted":
        fact = replace(fact, first_response_at=_min(fact.first_response_at, at))
    elif status == "resolved":
        fact = replace(fact, resolved_at=_max(fact.resolved_at, at))
    elif status == "closed":
        fact = replace(fact, closed_at=_max(fact.closed_at, at))
        if event.data.get("satisfied") is not None:
            fact = _rate(fact, bool(event.data["satisfied"]), None, at)
    elif status == "reopened":
        fact = replace(fact, reopen_count=fact.reopen_count + 1)
    elif status == "escalated":
        fact = replace(fact, escalation_count=fact.escalation_count + 1)
    return fact


def _merged(fact: CaseFact, event: Event) -> CaseFact:
    ids = set(fact.request_ids) | {str(event.data["request_id"])}
    return replace(fact, request_ids=tuple(sorted(ids)))


def _whistle(fact: CaseFact, event: Event) -> CaseFact:
    return replace(fact, departments=tuple(sorted(set(fact.departments) | {str(event.data["dept_code"])})))


def _dept_accepted(fact: CaseFact, event: Event) -> CaseFact:
    return replace(fact, first_response_at=_min(fact.first_response_at, ts(event.data.get("occurred_at"))))


def _rate(fact: CaseFact, satisfied: bool, rating: int | None, at: datetime | None) -> CaseFact:
    """The latest verdict wins; the latest numeric rating wins among the events that carry one."""
    if rating is not None and (fact.rating_at is None or _later(at, fact.rating_at)):
        fact = replace(fact, rating=rating, rating_at=at)
    if fact.rated_at is not None and not _later(at, fact.rated_at):
        return fact
    return replace(fact, satisfied=satisfied, rated_at=at)


def _feedback(fact: CaseFact, event: Event) -> CaseFact:
    d = event.data
    return _rate(fact, bool(d["satisfied"]), d.get("rating"), ts(d.get("submitted_at")))


def _scheduled(fact: CaseFact, event: Event) -> CaseFact:
    at = ts(event.data.get("scheduled_at"))
    if not _later(at, fact.sla_at):
        return fact
    return replace(fact, sla_at=at, response_due=ts(event.data.get("response_due")),
                   resolution_due=ts(event.data.get("resolution_due")))


def _breached(fact: CaseFact, event: Event) -> CaseFact:
    if event.data.get("deadline") == "response":
        return replace(fact, response_breached=True)
    return replace(fact, resolution_breached=True)


_APPLIERS = {
    "case.routed.v1": _routed, "case.merged.v1": _merged, "whistle.issued.v1": _whistle,
    "dept.case.accepted.v1": _dept_accepted, "feedback.submitted.v1": _feedback,
    "sla.scheduled.v1": _scheduled, "sla.breached.v1": _breached,
    **{t: _transition for t in TRANSITIONS},
}


def handles(event_type: str) -> bool:
    """True when events of this type can change a fact (others are only logged)."""
    return event_type in _APPLIERS


_FIELDS = tuple(f.name for f in fields(CaseFact))


def to_doc(fact: CaseFact) -> dict[str, Any]:
    """A storable dict: times as fixed-width ISO UTC strings (they sort as text), tuples as lists."""
    # Not dataclasses.asdict: it deep-copies every value, a large share of a save's Python time in the profile.
    doc: dict[str, Any] = {}
    for key in _FIELDS:
        value = getattr(fact, key)
        if isinstance(value, datetime):
            value = value.astimezone(UTC).isoformat(timespec="microseconds")
        elif isinstance(value, tuple):
            value = list(value)
        doc[key] = value
    return doc


def from_doc(doc: dict[str, Any]) -> CaseFact:
    """Rebuild a fact from `to_doc`'s output (extra keys such as _id or outbox are ignored)."""
    fields = CaseFact.__dataclass_fields__
    values: dict[str, Any] = {}
    for key, spec in fields.items():
        if key not in doc:
            continue
        value = doc[key]
        if "datetime" in str(spec.type):
            value = ts(value)
        elif "tuple" in str(spec.type):
            value = tuple(value or ())
        values[key] = value
    return CaseFact(**values)
