"""Notification records: the protocol and its document shape (shared by the SQLite and MongoDB adapters)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from contracts.envelope import Envelope
from notifier.adapters.documents import utc
from notifier.domain.notifications import Audience, Endpoint, Notification, NotificationStatus


class NotificationRepository(Protocol):
    """Stored notifications, claimed for delivery with a lease like timers; resident subscriptions."""

    async def add(self, notifications: list[Notification]) -> int:
        """Store new notifications; an id already stored is left alone. Returns how many were new."""
        ...

    async def claim_due(self, now: datetime, lease_owner: str, lease_s: float, limit: int) -> list[Notification]:
        """Lease pending notifications whose next attempt is due."""
        ...

    async def record_attempt(self, notification: Notification, *, lease_owner: str,
                             events: list[Envelope]) -> bool:
        """Store the outcome of an attempt (status, attempts, error, next attempt) while holding the lease."""
        ...

    async def for_case(self, case_id: str) -> list[Notification]:
        """A case's notifications, oldest first."""
        ...

    async def count(self, status: str) -> int:
        """How many notifications are in this status."""
        ...

    async def subscribe(self, case_id: str, endpoint: Endpoint, *, ref: str | None) -> None:
        """Remember how a resident wants to hear about a case."""
        ...

    async def subscribers(self, case_id: str) -> list[tuple[Endpoint, str | None]]:
        """The residents' endpoints for a case, with the reference they know it by."""
        ...


def notification_doc(n: Notification) -> dict[str, Any]:
    """The stored shape (datetimes aware UTC)."""
    return {
        "notification_id": n.notification_id, "case_id": n.case_id, "audience": str(n.audience),
        "recipient": n.recipient, "channel": n.endpoint.channel, "address": n.endpoint.address,
        "template": n.template, "title": n.title, "text": n.text, "urgent": n.urgent, "data": n.data,
        "created_at": utc(n.created_at), "next_attempt_at": utc(n.next_attempt_at), "status": str(n.status),
        "attempts": n.attempts, "last_error": n.last_error, "sent_at": utc(n.sent_at),
    }


def notification_from(doc: Any) -> Notification:
    """A stored document or row back as the domain object."""
    data = doc["data"]
    return Notification(
        notification_id=doc["notification_id"], case_id=doc["case_id"], audience=Audience(doc["audience"]),
        recipient=doc["recipient"], endpoint=Endpoint(doc["channel"], doc["address"]), template=doc["template"],
        title=doc["title"], text=doc["text"], urgent=bool(doc["urgent"]),
        data=json.loads(data) if isinstance(data, str) else dict(data or {}),
        created_at=utc(doc["created_at"]), next_attempt_at=utc(doc["next_attempt_at"]),  # type: ignore[arg-type]
        status=NotificationStatus(doc["status"]), attempts=int(doc["attempts"]), last_error=doc["last_error"],
        sent_at=utc(doc["sent_at"]),
    )
