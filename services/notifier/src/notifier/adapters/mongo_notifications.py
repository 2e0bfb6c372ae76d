"""Notification records (each with its own outbox) and resident subscriptions in MongoDB."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError

from contracts.envelope import Envelope
from notifier.adapters.notification_repository import notification_doc, notification_from
from notifier.domain.notifications import Endpoint, Notification
from servicekit.storage.mongo_outbox import merge_updates, outbox_update


class MongoNotificationRepository:
    """NotificationRepository on `notifications` and `subscriptions`."""

    def __init__(self, db: Any) -> None:
        self.notifications = db["notifications"]
        self.subscriptions = db["subscriptions"]

    async def ensure_indexes(self) -> None:
        """Due index for claiming, per-case index for listing."""
        await self.notifications.create_index([("status", ASCENDING), ("next_attempt_at", ASCENDING)],
                                              name="status_next_attempt")
        await self.notifications.create_index([("case_id", ASCENDING), ("created_at", ASCENDING)], name="case")
        await self.subscriptions.create_index([("case_id", ASCENDING)], name="case")

    async def add(self, notifications: list[Notification]) -> int:
        """Insert by id; existing ids are kept as they are."""
        if not notifications:
            return 0
        docs = [{"_id": n.notification_id, **notification_doc(n), "lease_owner": None, "lease_until": None}
                for n in notifications]
        try:
            result = await self.notifications.insert_many(docs, ordered=False)
            return len(result.inserted_ids)
        except BulkWriteError as exc:
            return int(exc.details.get("nInserted", 0))
        except DuplicateKeyError:
            return 0

    async def claim_due(self, now: datetime, lease_owner: str, lease_s: float, limit: int) -> list[Notification]:
        """One find_one_and_update per notification."""
        claimed = []
        for _ in range(limit):
            doc = await self.notifications.find_one_and_update(
                {"status": "pending", "next_attempt_at": {"$lte": now},
                 "$or": [{"lease_until": None}, {"lease_until": {"$lte": now}}]},
                {"$set": {"lease_owner": lease_owner, "lease_until": now + timedelta(seconds=lease_s)}},
                sort=[("next_attempt_at", ASCENDING)], return_document=ReturnDocument.AFTER)
            if doc is None:
                break
            claimed.append(notification_from(doc))
        return claimed

    async def record_attempt(self, notification: Notification, *, lease_owner: str,
                             events: list[Envelope]) -> bool:
        """One conditional update: outcome fields plus the outcome event in this document's outbox."""
        doc = notification_doc(notification)
        fields = {k: doc[k] for k in ("status", "attempts", "last_error", "next_attempt_at", "sent_at")}
        update = merge_updates({"$set": {**fields, "lease_owner": None, "lease_until": None}},
                               outbox_update(events) if events else {})
        result = await self.notifications.update_one(
            {"_id": notification.notification_id, "lease_owner": lease_owner, "status": "pending"}, update)
        return result.modified_count == 1

    async def for_case(self, case_id: str) -> list[Notification]:
        """A case's notifications, oldest first."""
        cursor = self.notifications.find({"case_id": case_id}, {"outbox": 0}).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)])
        return [notification_from(d) async for d in cursor]

    async def count(self, status: str) -> int:
        """How many notifications are in this status."""
        return int(await self.notifications.count_documents({"status": status}))

    async def subscribe(self, case_id: str, endpoint: Endpoint, *, ref: str | None) -> None:
        """Upsert one subscription."""
        key = f"{case_id}|{endpoint.channel}|{endpoint.address}"
        await self.subscriptions.update_one(
            {"_id": key}, {"$set": {"case_id": case_id, "channel": endpoint.channel, "address": endpoint.address,
                                    "ref": ref}}, upsert=True)

    async def subscribers(self, case_id: str) -> list[tuple[Endpoint, str | None]]:
        """The case's resident endpoints."""
        cursor = self.subscriptions.find({"case_id": case_id}).sort([("channel", ASCENDING), ("address", ASCENDING)])
        return [(Endpoint(d["channel"], d["address"]), d.get("ref")) async for d in cursor]
