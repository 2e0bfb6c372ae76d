"""Events published by the router: routing, whistles and every case transition."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from contracts.envelope import EventData
from contracts.events.common import Actor, CategoryRef, Contact, Place, UnitRef


class CaseRouted(EventData):
    """A case was created (or re-routed) and assigned a tier and units."""

    event_type: ClassVar[str] = "case.routed.v1"

    case_id: str
    request_ids: list[str]
    tracking_code: str | None = None
    channel: str | None = None
    place: Place
    category: CategoryRef
    classified_by: str = Field(description="rule, model, manual or resident")
    confidence: float | None = None
    tier: int = Field(ge=1, le=4)
    units: list[UnitRef]
    departments: list[str] = Field(default_factory=list, description="department codes whistled")
    sla_policy: str
    emergency: bool = False
    needs_triage: bool = False
    text: str | None = Field(default=None, max_length=4000, description="the request text, for hot issues")
    submitted_at: AwareDatetime | None = None
    routed_at: AwareDatetime


class WhistleIssued(EventData):
    """吹哨: a department is called to report and act on a case (routing key whistle.<dept>.v1)."""

    event_type: ClassVar[str] = "whistle.issued.v1"

    case_id: str
    dept_code: str
    dept_name: str
    tracking_code: str | None = None
    category: CategoryRef
    place: Place
    summary: str = Field(max_length=4000)
    tier: int = Field(ge=1, le=4)
    joint_units: list[UnitRef] = Field(default_factory=list, description="the 4+N units on the case")
    contact: Contact | None = Field(default=None, description="only when this department must call back")
    respond_within_minutes: int | None = None
    issued_at: AwareDatetime


class CaseTransition(EventData):
    """Base of case lifecycle events: one per state change, with the audit facts."""

    case_id: str
    community_id: str
    from_status: str
    status: str
    tier: int = Field(ge=1, le=4)
    actor: Actor
    reason: str | None = Field(default=None, max_length=1000)
    unit_id: str | None = None
    occurred_at: AwareDatetime


class CaseAccepted(CaseTransition):
    """The assigned unit accepted the case (responded)."""

    event_type: ClassVar[str] = "case.accepted.v1"


class CaseProgressed(CaseTransition):
    """A progress note was added to the case."""

    event_type: ClassVar[str] = "case.progress.v1"

    photo_refs: list[str] = Field(default_factory=list)


class CaseEscalated(CaseTransition):
    """The case climbed to the next tier (by hand or on an SLA breach)."""

    event_type: ClassVar[str] = "case.escalated.v1"

    from_tier: int = Field(ge=1, le=4)
    units: list[UnitRef] = Field(default_factory=list)
    sla_policy: str | None = None


class CaseReturned(CaseTransition):
    """The unit handed the case back (not its jurisdiction); it will be re-routed."""

    event_type: ClassVar[str] = "case.returned.v1"


class CaseResolved(CaseTransition):
    """The case was resolved; the resident will be asked to rate it."""

    event_type: ClassVar[str] = "case.resolved.v1"

    resolution: str | None = Field(default=None, max_length=2000)


class CaseReopened(CaseTransition):
    """The resident was not satisfied: the case is taken up again (再接单)."""

    event_type: ClassVar[str] = "case.reopened.v1"


class CaseClosed(CaseTransition):
    """The case is closed (rated, or the rating window passed)."""

    event_type: ClassVar[str] = "case.closed.v1"

    satisfied: bool | None = None


class CaseCancelled(CaseTransition):
    """The case was cancelled (the resident withdrew every request on it)."""

    event_type: ClassVar[str] = "case.cancelled.v1"


class CaseMerged(CaseTransition):
    """A further request joined an existing case as a duplicate."""

    event_type: ClassVar[str] = "case.merged.v1"

    request_id: str
    tracking_code: str | None = None
