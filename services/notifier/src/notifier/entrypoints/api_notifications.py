"""HTTP: a case's notifications (with their delivery records) and residents' subscriptions to a case."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from notifier.domain.notifications import Endpoint, Notification, mask
from notifier.entrypoints.access import DENIED, Staff, authorize_clock


class NotificationOut(BaseModel):
    """One notification and its delivery record; addresses are masked."""

    notification_id: str
    audience: str
    recipient: str
    channel: str
    address: str
    template: str
    title: str
    text: str
    urgent: bool
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None

    @classmethod
    def of(cls, n: Notification) -> NotificationOut:
        """From the domain object."""
        return cls(notification_id=n.notification_id, audience=str(n.audience), recipient=n.recipient,
                   channel=n.endpoint.channel, address=mask(n.endpoint.address), template=n.template, title=n.title,
                   text=n.text, urgent=n.urgent, status=str(n.status), attempts=n.attempts, last_error=n.last_error,
                   created_at=n.created_at, next_attempt_at=n.next_attempt_at, sent_at=n.sent_at)


class SubscriptionIn(BaseModel):
    """How a resident wants to hear about a case (given to intake, passed on by the H5 page or intake)."""

    case_id: str = Field(min_length=1, max_length=100)
    channel: Literal["sms", "email", "webhook"]
    address: str = Field(min_length=3, max_length=300)
    ref: str | None = Field(default=None, max_length=50, description="the tracking code the resident knows")


def notifications_router() -> APIRouter:
    """The /v1 notification routes."""
    router = APIRouter(prefix="/v1", tags=["notifications"])

    @router.get("/notifications", summary="A case's notifications and their delivery records",
                response_model=list[NotificationOut], responses=DENIED)
    async def notifications(request: Request, principal: Staff,
                            case_id: Annotated[str, Query(min_length=1, max_length=100)]) -> list[NotificationOut]:
        clock = await request.app.state.notifier.store.timers.get_case(case_id)
        authorize_clock(request, principal, clock, case_id)
        repo = request.app.state.notifier.store.notifications
        return [NotificationOut.of(n) for n in await repo.for_case(case_id)]

    @router.post("/subscriptions", status_code=201, responses=DENIED,
                 summary="Subscribe a resident to a case's status changes (staff, for a case in their subtree)")
    async def subscribe(request: Request, body: SubscriptionIn, principal: Staff) -> dict[str, str]:
        clock = await request.app.state.notifier.store.timers.get_case(body.case_id)
        authorize_clock(request, principal, clock, body.case_id)
        repo = request.app.state.notifier.store.notifications
        await repo.subscribe(body.case_id, Endpoint(body.channel, body.address), ref=body.ref)
        return {"case_id": body.case_id, "channel": body.channel, "address": mask(body.address)}

    return router
