"""Use cases after submission: the resident rates or cancels (state and event in one write)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from contracts.envelope import EventData, new_event
from contracts.events.intake import FeedbackSubmitted, RequestCancelled
from intake.adapters.repository import RequestRepository
from intake.domain import actions
from intake.domain.model import IntakeRequest

SOURCE = "/whistle/intake"


class NotFound(Exception):
    """No request with this id."""


async def _change(repo: RequestRepository, request_id: str,
                  mutate: Callable[[IntakeRequest], EventData], now: datetime) -> IntakeRequest:
    """Read, apply, conditionally save with the event; retry on a concurrent change."""
    for _ in range(5):
        req = await repo.get(request_id)
        if req is None:
            raise NotFound(request_id)
        version = req.version
        data = mutate(req)
        event = new_event(data, source=SOURCE, subject=req.id, now=now)
        if await repo.save(req, expected_version=version, events=[event]):
            return req
    raise RuntimeError("request kept changing; try again")


async def submit_feedback(repo: RequestRepository, request_id: str, *, satisfied: bool, rating: int | None,
                          comment: str | None, now: datetime) -> IntakeRequest:
    """Rate a resolved request; publishes feedback.submitted.v1 (not satisfied reopens the case)."""

    def mutate(req: IntakeRequest) -> EventData:
        actions.rate(req, satisfied=satisfied, rating=rating, comment=comment, now=now)
        return FeedbackSubmitted(request_id=req.id, case_id=req.case_id, satisfied=satisfied, rating=rating,
                                 comment=comment, submitted_at=now)

    return await _change(repo, request_id, mutate, now)


async def cancel_request(repo: RequestRepository, request_id: str, *, reason: str | None,
                         now: datetime) -> IntakeRequest:
    """Withdraw an unresolved request; publishes request.cancelled.v1."""

    def mutate(req: IntakeRequest) -> EventData:
        actions.cancel(req, reason=reason, now=now)
        return RequestCancelled(request_id=req.id, case_id=req.case_id, reason=reason, cancelled_at=now)

    return await _change(repo, request_id, mutate, now)
