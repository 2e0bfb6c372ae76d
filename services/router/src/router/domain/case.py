"""The case (工单): its fields, its state machine and its audit trail; pure, the caller passes `now`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

OPEN_STATUSES = ("triage", "assigned", "whistled", "accepted", "in_progress", "escalated", "reopened", "returned")
FINAL_STATUSES = ("closed", "cancelled")
WORKING = ("assigned", "whistled", "accepted", "in_progress", "escalated", "reopened")

# action → (statuses it may start from, status it leads to; None = decided by the action itself)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "route": (("submitted", "triage", "returned"), None),
    "accept": (("assigned", "whistled", "escalated", "reopened"), "accepted"),
    "progress": (("accepted", "in_progress"), "in_progress"),
    "resolve": (WORKING, "resolved"),
    "return": (WORKING, "returned"),
    "escalate": (WORKING, "escalated"),
    "reassign": ((*WORKING, "returned", "triage"), "assigned"),
    "reopen": (("resolved",), "reopened"),
    "close": (("resolved",), "closed"),
    "cancel": ((*OPEN_STATUSES, "submitted"), "cancelled"),
    "merge": (OPEN_STATUSES, None),
}


class InvalidTransition(ValueError):
    """The action is not allowed from the case's current status; nothing changed."""


@dataclass(frozen=True)
class ActorInfo:
    """Who acts: staff, department, resident or system."""

    kind: str
    id: str
    name: str | None = None


@dataclass
class Case:
    """A case and everything the router knows about it; nested records are plain dicts."""

    case_id: str
    community_id: str
    place: dict[str, Any]
    text: str
    title: str | None
    class_code: str
    sub_category: str | None
    classified_by: str
    tier: int
    sla_policy: str
    status: str
    submitted_at: datetime
    routed_at: datetime
    updated_at: datetime
    confidence: float | None = None
    domain: str | None = None
    matched: list[str] = field(default_factory=list)
    emergency: bool = False
    callback: bool = False
    needs_triage: bool = False
    units: list[dict[str, Any]] = field(default_factory=list)  # {unit_id, kind, name}
    departments: list[str] = field(default_factory=list)
    dept_status: dict[str, str] = field(default_factory=dict)
    reporters: list[dict[str, Any]] = field(default_factory=list)  # {request_id, tracking_code, contact_sealed, …}
    history: list[dict[str, Any]] = field(default_factory=list)  # the audit trail
    progress: list[dict[str, Any]] = field(default_factory=list)
    suggestion: dict[str, Any] | None = None  # the model's label when it was not trusted
    triage_decision: dict[str, Any] | None = None
    resolution: str | None = None
    channel: str | None = None
    version: int = 0

    @property
    def request_ids(self) -> list[str]:
        """Every request that joined this case."""
        return [r["request_id"] for r in self.reporters]

    @property
    def compound_id(self) -> str | None:
        """The compound, when the request named one."""
        return self.place.get("compound_id")

    @property
    def is_open(self) -> bool:
        """True until the case is resolved, closed or cancelled."""
        return self.status in OPEN_STATUSES


def check(case: Case, action: str) -> str | None:
    """The status an action leads to; raises InvalidTransition (naming why) when it is not allowed."""
    sources, target = TRANSITIONS[action]
    if case.status not in sources:
        raise InvalidTransition(
            f"cannot {action} a case that is {case.status} (allowed from: {', '.join(sources)})")
    return target


def record(case: Case, *, to: str, actor: ActorInfo, now: datetime, reason: str | None = None,
           action: str, unit_id: str | None = None) -> str:
    """Move the case to `to`, append the audit entry and return the previous status."""
    previous = case.status
    case.history.append({
        "at": now.isoformat(), "action": action, "from": previous, "to": to, "actor_kind": actor.kind,
        "actor_id": actor.id, "actor_name": actor.name, "reason": reason, "unit_id": unit_id,
    })
    case.status = to
    case.updated_at = now
    return previous
