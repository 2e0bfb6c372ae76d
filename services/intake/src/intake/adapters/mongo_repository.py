"""Requests in MongoDB: one document per request, its outbox inside it (single-document atomic writes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from contracts.envelope import Envelope
from intake.adapters.repository import DuplicateRequest, RequestQuery, from_doc, time_key, to_doc
from intake.domain.model import IntakeRequest
from servicekit.storage.mongo_outbox import MongoOutbox, merge_updates, outbox_update

_SPARSE = ("idempotency_key", "external_ref")


def _fields(req: IntakeRequest) -> tuple[dict[str, Any], dict[str, str]]:
    """Fields to $set and sparse keys to $unset (absent, not null, so sparse unique indexes allow many)."""
    doc = to_doc(req)
    doc["submitted_key"] = time_key(req.submitted_at)
    doc["closed_key"] = time_key(req.closed_at)
    doc["has_contact"] = req.contact_enc is not None
    unset = {k: "" for k in _SPARSE if doc.get(k) is None}
    for key in unset:
        doc.pop(key)
    return doc, unset


class MongoRequestRepository:
    """RequestRepository on MongoDB (PyMongo async API or pymongo_async_mock)."""

    def __init__(self, db: Any) -> None:
        self._db = db
        self._coll = db["requests"]
        self._counters = db["counters"]
        self._parked = db["parked_events"]
        self.outbox = MongoOutbox(self._coll)

    async def ensure_indexes(self) -> None:
        """Indexes declared in code, created at start."""
        await self._coll.create_index([("tracking_code", ASCENDING)], unique=True, name="tracking_code")
        for key in _SPARSE:
            await self._coll.create_index([(key, ASCENDING)], unique=True, sparse=True, name=key)
        await self._coll.create_index([("case_id", ASCENDING)], name="case_id")
        await self._coll.create_index([("submitted_key", DESCENDING)], name="submitted")
        await self._coll.create_index([("has_contact", ASCENDING), ("closed_key", ASCENDING)], name="retention")
        await self._parked.create_index([("case_id", ASCENDING)], name="case_id")
        await self.outbox.ensure_indexes()

    async def reserve_sequences(self, day: str, count: int) -> int:
        """Atomically add `count` to the day's counter and return the new value (the block's last number)."""
        doc = await self._counters.find_one_and_update(
            {"_id": f"tracking:{day}"}, {"$inc": {"value": count}}, upsert=True,
            return_document=ReturnDocument.AFTER)
        return int(doc["value"])

    async def add(self, req: IntakeRequest, events: list[Envelope]) -> None:
        """Insert the document with its outbox entries (one atomic insert)."""
        doc, _ = _fields(req)
        doc["_id"] = req.id
        if events:
            doc["outbox"] = outbox_update(events)["$push"]["outbox"]["$each"]
            doc["outbox_pending"] = True
        try:
            await self._coll.insert_one(doc)
        except DuplicateKeyError as exc:
            text = str(exc)
            raise DuplicateRequest("external_ref" if "external_ref" in text else
                                   "idempotency_key" if "idempotency_key" in text else "id") from exc

    async def save(self, req: IntakeRequest, *, expected_version: int, events: list[Envelope]) -> bool:
        """Conditional update on the version; state and outbox entries in the same document write."""
        req.version = expected_version + 1
        fields, unset = _fields(req)
        parts: list[dict[str, Any]] = [{"$set": fields}]
        if unset:
            parts.append({"$unset": unset})
        if events:
            parts.append(outbox_update(events))
        result = await self._coll.update_one({"_id": req.id, "version": expected_version}, merge_updates(*parts))
        if result.modified_count != 1:
            req.version = expected_version
            return False
        return True

    async def _one(self, query: dict[str, Any]) -> IntakeRequest | None:
        doc = await self._coll.find_one(query, {"outbox": 0})
        return from_doc(doc) if doc else None

    async def get(self, request_id: str) -> IntakeRequest | None:
        """One request by id."""
        return await self._one({"_id": request_id})

    async def by_tracking_code(self, code: str) -> IntakeRequest | None:
        """One request by tracking code."""
        return await self._one({"tracking_code": code})

    async def by_idempotency_key(self, key: str) -> IntakeRequest | None:
        """The request created under this key."""
        return await self._one({"idempotency_key": key})

    async def by_external_ref(self, ref: str) -> IntakeRequest | None:
        """The request imported under this order number."""
        return await self._one({"external_ref": ref})

    async def _many(self, query: dict[str, Any], sort: list[tuple[str, int]], limit: int) -> list[IntakeRequest]:
        cursor = self._coll.find(query, {"outbox": 0}).sort(sort).limit(limit)
        return [from_doc(doc) async for doc in cursor]

    async def by_case(self, case_id: str) -> list[IntakeRequest]:
        """Requests attached to a case."""
        return await self._many({"case_id": case_id}, [("submitted_key", ASCENDING)], 1000)

    async def find(self, query: RequestQuery) -> list[IntakeRequest]:
        """Requests matching the filters, newest first."""
        q: dict[str, Any] = {}
        if query.ids:
            q["_id"] = {"$in": list(query.ids)}
        if query.sub_category:
            q["sub_category"] = query.sub_category
        if query.statuses:
            q["status"] = {"$in": list(query.statuses)}
        span: dict[str, Any] = {}
        if query.start:
            span["$gte"] = time_key(query.start)
        if query.end:
            span["$lte"] = time_key(query.end)
        if span:
            q["submitted_key"] = span
        return await self._many(q, [("submitted_key", DESCENDING)], query.limit)

    async def closed_with_contact_before(self, cutoff: datetime, limit: int = 500) -> list[IntakeRequest]:
        """Closed requests past the retention cutoff that still hold contact data."""
        return await self._many({"has_contact": True, "closed_key": {"$ne": None, "$lt": time_key(cutoff)}},
                                [("closed_key", ASCENDING)], limit)

    async def park_event(self, case_id: str, event_id: str, body: str) -> None:
        """Keep an event about a case not linked yet (upsert by event id)."""
        from datetime import UTC, datetime

        await self._parked.update_one(
            {"_id": event_id}, {"$setOnInsert": {"case_id": case_id, "body": body, "at": datetime.now(UTC)}},
            upsert=True)

    async def parked(self, case_id: str) -> list[tuple[str, str]]:
        """The parked events of a case as (event id, body), oldest first; they stay until forgotten."""
        return [(doc["_id"], doc["body"])
                async for doc in self._parked.find({"case_id": case_id}).sort([("at", ASCENDING), ("_id", ASCENDING)])]

    async def forget_parked(self, event_ids: list[str]) -> None:
        """Remove parked events once they were applied."""
        await self._parked.delete_many({"_id": {"$in": event_ids}})

    async def count(self) -> int:
        """How many requests are stored."""
        return int(await self._coll.count_documents({}))

    async def ping(self) -> bool:
        """True when the server answers."""
        try:
            await self._db.command("ping")
        except Exception:
            return False
        return True
