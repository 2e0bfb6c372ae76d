"""What a resident sees of a request: status and timeline in plain Chinese, contact masked."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from contracts.categories import BY_CODE, CLASSES
from contracts.channels import CHANNEL_NAMES
from intake.domain.model import CIVIL_TZ, IntakeRequest
from intake.domain.org import Directory
from intake.domain.timeline import STATUS_LABELS


class TimelineOut(BaseModel):
    """One timeline line (times in Asia/Shanghai)."""

    at: datetime
    status: str
    label: str
    note: str | None = None


class RequestOut(BaseModel):
    """GET /v1/requests/{id}."""

    id: str
    tracking_code: str
    status: str
    status_label: str
    channel: str
    channel_label: str
    compound_id: str
    compound_name: str | None
    community_id: str
    text: str
    title: str | None
    category: dict[str, Any] | None
    location: dict[str, Any]
    unit_name: str | None
    deadline: datetime | None
    timeline: list[TimelineOut]
    contact: dict[str, Any] | None
    anonymous: bool
    photos: list[str]
    feedback: dict[str, Any] | None
    can_cancel: bool
    can_rate: bool
    submitted_at: datetime


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(CIVIL_TZ) if moment else None


def category_view(class_code: str | None, sub: str | None) -> dict[str, Any] | None:
    """Codes with their Chinese names."""
    if not class_code:
        return None
    sub_name = BY_CODE[sub].name if sub in BY_CODE else None
    return {"class_code": class_code, "class_name": CLASSES.get(class_code), "sub_category": sub,
            "sub_category_name": sub_name}


def request_view(req: IntakeRequest, directory: Directory, base_url: str) -> RequestOut:
    """The resident's view of a request."""
    compound = directory.get(req.compound_id)
    channel_label = {c.value: n for c, n in CHANNEL_NAMES.items()}.get(req.channel, req.channel)
    contact = None
    if req.phone_masked or req.name_masked:
        contact = {"name": req.name_masked, "phone": req.phone_masked}
    return RequestOut(
        id=req.id, tracking_code=req.tracking_code, status=req.status,
        status_label=STATUS_LABELS.get(req.status, req.status), channel=req.channel, channel_label=channel_label,
        compound_id=req.compound_id, compound_name=compound.name if compound else None,
        community_id=req.community_id, text=req.text, title=req.title,
        category=category_view(req.class_code, req.sub_category),
        location={"building": req.building, "unit": req.unit, "room": req.room, "address": req.address,
                  "lat": req.lat, "lon": req.lon},
        unit_name=req.unit_name, deadline=_local(req.deadline),
        timeline=[TimelineOut(at=_local(t.at) or t.at, status=t.status, label=t.label, note=t.note)
                  for t in req.timeline],
        contact=contact, anonymous=req.anonymous,
        photos=[f"{base_url}/v1/requests/{req.id}/photos/{p}" for p in req.photos],
        feedback={"satisfied": req.feedback.satisfied, "rating": req.feedback.rating,
                  "comment": req.feedback.comment} if req.feedback else None,
        can_cancel=req.status in ("submitted", "assigned", "in_progress"),
        can_rate=req.status == "resolved" and req.feedback is None,
        submitted_at=_local(req.submitted_at) or req.submitted_at)
