"""The intake request as intake keeps it: what the resident sent, its status and timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

CIVIL_TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class TimelineEntry:
    """One line of the resident-facing timeline, in plain Chinese."""

    at: datetime
    status: str
    label: str
    note: str | None = None


@dataclass
class Feedback:
    """The resident's rating after resolution."""

    satisfied: bool
    comment: str | None
    at: datetime
    rating: int | None = None


@dataclass
class IntakeRequest:
    """A resident's request and everything intake knows about its handling."""

    id: str
    tracking_code: str
    token_hash: str
    channel: str
    compound_id: str
    community_id: str
    street_id: str | None
    district_id: str | None
    grid_id: str | None
    text: str
    submitted_at: datetime
    title: str | None = None
    building: str | None = None
    unit: str | None = None
    room: str | None = None
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    class_code: str | None = None
    sub_category: str | None = None
    anonymous: bool = False
    contact_enc: str | None = None
    phone_masked: str | None = None
    name_masked: str | None = None
    photos: list[str] = field(default_factory=list)
    media_url: str | None = None  # Open311 media_url: a public link the client gave, shown in GET responses
    status: str = "submitted"
    status_at: datetime | None = None
    case_id: str | None = None
    unit_name: str | None = None
    deadline: datetime | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)
    feedback: Feedback | None = None
    idempotency_key: str | None = None
    body_hash: str | None = None
    external_ref: str | None = None
    external_deadline: datetime | None = None
    submitted_by: str | None = None
    closed_at: datetime | None = None
    contact_purged: bool = False
    applied_events: list[str] = field(default_factory=list)
    version: int = 0


def tracking_code(now: datetime, sequence: int) -> str:
    """WS-YYYYMMDD-NNNNNN with the civil (Asia/Shanghai) date."""
    return f"WS-{now.astimezone(CIVIL_TZ):%Y%m%d}-{sequence:06d}"


def civil_day(now: datetime) -> str:
    """The civil date that numbers tracking codes."""
    return f"{now.astimezone(CIVIL_TZ):%Y%m%d}"


def mask_phone(phone: str | None) -> str | None:
    """138****1234: keep the first three and last four digits."""
    if not phone:
        return None
    digits = phone.strip()
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_name(name: str | None) -> str | None:
    """张** — keep the surname only."""
    if not name:
        return None
    return name[0] + "*" * max(len(name) - 1, 1)
