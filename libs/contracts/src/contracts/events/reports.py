"""Events published by reports: hot issues detected in incoming requests."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime

from contracts.envelope import EventData


class HotspotDetected(EventData):
    """A recurring or rising issue in a place (未诉先办)."""

    event_type: ClassVar[str] = "hotspot.detected.v1"

    hotspot_id: str
    place: str
    community_id: str | None = None
    terms: list[str]
    request_ids: list[str]
    score: float
    window_start: AwareDatetime
    window_end: AwareDatetime
    detected_at: AwareDatetime
