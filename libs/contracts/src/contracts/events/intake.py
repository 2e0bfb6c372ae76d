"""Events published by intake: requests, feedback and cancellations from residents."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from contracts.envelope import EventData
from contracts.events.common import CategoryRef, Place


class RequestSubmitted(EventData):
    """A resident's request was stored and given a tracking code."""

    event_type: ClassVar[str] = "request.submitted.v1"

    request_id: str
    tracking_code: str
    channel: str
    place: Place
    title: str | None = Field(default=None, max_length=200)
    text: str = Field(max_length=4000)
    category_hint: CategoryRef | None = None
    photo_refs: list[str] = Field(default_factory=list)
    anonymous: bool = False
    has_contact: bool = False
    contact_sealed: str | None = Field(
        default=None, description="contact encrypted by intake; only the router may open it for a whistle")
    external_ref: str | None = Field(default=None, description="e.g. the 12345 hotline order number")
    external_deadline: AwareDatetime | None = None
    submitted_at: AwareDatetime


class RequestCancelled(EventData):
    """The resident withdrew a request before it was resolved."""

    event_type: ClassVar[str] = "request.cancelled.v1"

    request_id: str
    case_id: str | None = None
    reason: str | None = Field(default=None, max_length=500)
    cancelled_at: AwareDatetime


class FeedbackSubmitted(EventData):
    """The return visit: the resident rated a resolved request."""

    event_type: ClassVar[str] = "feedback.submitted.v1"

    request_id: str
    case_id: str | None = None
    satisfied: bool
    rating: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=1000)
    submitted_at: AwareDatetime
