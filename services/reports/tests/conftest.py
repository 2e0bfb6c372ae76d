"""Shared test helpers for reports: a builder of realistic case event sequences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts.envelope import Envelope

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai, a Monday


def producer(event_type: str) -> str:
    """The source the platform's producer allow-list expects for an event type."""
    prefix = event_type.split(".")[0]
    return {"sla": "/whistle/notifier", "reminder": "/whistle/notifier", "notification": "/whistle/notifier",
            "hotspot": "/whistle/reports", "request": "/whistle/intake", "feedback": "/whistle/intake"}.get(
        prefix, "/whistle/router")


class Story:
    """Builds the envelopes of one case's life; `at(minutes)` is minutes after T0."""

    def __init__(self, case_id: str, *, community: str = "qc-jh-jh", compound: str = "qc-jh-jh-hy",
                 grid: str = "g-jh-jh-hy-1", street: str | None = None, class_code: str = "dispute",
                 category: str = "leak", unit: str = "u-g-jh-jh-hy-1", start: datetime = T0,
                 text: str = "楼上卫生间漏水，天花板一直滴水") -> None:
        self.case_id, self.start, self.n = case_id, start, 0
        self.place = {"community_id": community, "compound_id": compound, "grid_id": grid, "street_id": street}
        self.category = {"class_code": class_code, "sub_category": category}
        self.unit, self.text = unit, text

    def at(self, minutes: float) -> str:
        """An ISO time `minutes` after the story's start."""
        return (self.start + timedelta(minutes=minutes)).isoformat()

    def _env(self, type_: str, data: dict[str, Any], minutes: float) -> Envelope:
        self.n += 1
        return Envelope(id=f"{self.case_id}-e{self.n}", source=producer(type_), type=type_, time=self.at(minutes),
                        subject=self.case_id, data={"case_id": self.case_id, **data})

    def routed(self, minutes: float = 0, *, requests: tuple[str, ...] | None = None) -> Envelope:
        """case.routed.v1 with place, category, one unit and the text."""
        return self._env("case.routed.v1", {
            "request_ids": list(requests or (f"r-{self.case_id}",)), "channel": "qr_h5", "place": self.place,
            "category": self.category, "classified_by": "rule", "tier": 1, "sla_policy": "fast",
            "units": [{"unit_id": self.unit, "kind": "grid_worker", "name": "网格员"}], "departments": [],
            "text": self.text, "submitted_at": self.at(minutes), "routed_at": self.at(minutes)}, minutes)

    def scheduled(self, minutes: float, *, response_in: float, resolution_in: float) -> Envelope:
        """sla.scheduled.v1 with deadlines relative to the start."""
        return self._env("sla.scheduled.v1", {
            "community_id": self.place["community_id"], "tier": 1, "sla_policy": "fast",
            "response_due": self.at(response_in), "resolution_due": self.at(resolution_in),
            "scheduled_at": self.at(minutes)}, minutes)

    def transition(self, kind: str, minutes: float, **extra: Any) -> Envelope:
        """case.<kind>.v1 (accepted, progress, resolved, reopened, closed, cancelled, escalated, returned)."""
        data = {"community_id": self.place["community_id"], "from_status": "x", "status": kind, "tier": 1,
                "actor": {"kind": "staff", "id": "s1"}, "occurred_at": self.at(minutes), **extra}
        if kind == "escalated":
            data.setdefault("from_tier", 1)
        return self._env(f"case.{kind}.v1", data, minutes)

    def breached(self, deadline: str, minutes: float) -> Envelope:
        """sla.breached.v1 for the response or resolution deadline."""
        return self._env("sla.breached.v1", {
            "community_id": self.place["community_id"], "deadline": deadline, "due_at": self.at(minutes),
            "tier": 1, "breached_at": self.at(minutes)}, minutes)

    def feedback(self, minutes: float, *, satisfied: bool, rating: int | None = None) -> Envelope:
        """feedback.submitted.v1 about the case."""
        return self._env("feedback.submitted.v1", {
            "request_id": f"r-{self.case_id}", "satisfied": satisfied, "rating": rating,
            "submitted_at": self.at(minutes)}, minutes)

    def merged(self, minutes: float, request_id: str) -> Envelope:
        """case.merged.v1: a repeat request joined the case."""
        return self.transition("merged", minutes, request_id=request_id)


@pytest.fixture
def story() -> type[Story]:
    """The Story class (call it with a case id)."""
    return Story
