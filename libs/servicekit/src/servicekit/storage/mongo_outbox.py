"""Outbox entries kept inside the very document whose change caused them (one atomic write)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from contracts.envelope import Envelope
from contracts.registry import routing_key
from servicekit.outbox import OutboxItem


def outbox_update(envelopes: Iterable[Envelope]) -> dict[str, Any]:
    """Update operators that append events to a document's outbox; merge into the state update."""
    entries = [
        {"event_id": e.id, "routing_key": routing_key(e), "body": e.model_dump_json(),
         "created_at": datetime.now(UTC)}
        for e in envelopes
    ]
    return {"$push": {"outbox": {"$each": entries}}, "$set": {"outbox_pending": True}}


def merge_updates(*updates: dict[str, Any]) -> dict[str, Any]:
    """Combine update documents operator by operator."""
    merged: dict[str, dict[str, Any]] = {}
    for update in updates:
        for op, fields in update.items():
            merged.setdefault(op, {}).update(fields)
    return merged


class MongoOutbox:
    """The relay's view of outbox entries spread over one collection's documents."""

    def __init__(self, collection: Any) -> None:
        self._coll = collection

    async def ensure_indexes(self) -> None:
        """Only documents with pending events are indexed."""
        await self._coll.create_index(
            [("outbox_pending", 1)], name="outbox_pending",
            partialFilterExpression={"outbox_pending": True})

    async def fetch_pending(self, limit: int) -> list[OutboxItem]:
        """Pending events of the documents that have any, in document order."""
        items: list[OutboxItem] = []
        cursor = self._coll.find({"outbox_pending": True}, {"outbox": 1}).limit(limit)
        async for doc in cursor:
            for entry in doc.get("outbox", []):
                items.append(OutboxItem(
                    entry["event_id"], entry["routing_key"], entry["body"].encode(), ref=str(doc["_id"])))
        return items[: max(limit, 1) * 4]

    async def mark_published(self, items: list[OutboxItem]) -> None:
        """Pull confirmed entries; clear the flag only on documents whose outbox emptied."""
        by_doc: dict[str, list[str]] = {}
        for item in items:
            by_doc.setdefault(item.ref, []).append(item.event_id)
        for doc_id, event_ids in by_doc.items():
            await self._coll.update_one(
                {"_id": doc_id}, {"$pull": {"outbox": {"event_id": {"$in": event_ids}}}})
            await self._coll.update_one(
                {"_id": doc_id, "outbox": {"$size": 0}}, {"$set": {"outbox_pending": False}})

    async def pending_count(self) -> int:
        """Documents with pending events (a lower bound on events)."""
        return int(await self._coll.count_documents({"outbox_pending": True}))
