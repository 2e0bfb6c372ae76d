"""Cases in MongoDB: one document per case holding its state, applied event ids and outbox."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.errors import DuplicateKeyError

from contracts.envelope import Envelope
from router.adapters.documents import case_from_doc, case_to_doc
from router.adapters.repository import ConcurrentUpdate
from router.domain.case import OPEN_STATUSES, Case
from router.domain.duplicates import MAX_CANDIDATES, Candidate
from servicekit.storage.mongo import ping_mongo
from servicekit.storage.mongo_outbox import MongoOutbox, merge_updates, outbox_update

APPLIED_KEEP = 200  # applied event ids kept per case; replays older than that are long acknowledged


def _fields(case: Case) -> dict[str, Any]:
    return {
        "community_id": case.community_id, "compound_id": case.compound_id, "status": case.status,
        "needs_triage": case.needs_triage, "triaged": case.triage_decision is not None,
        "submitted_at": case.submitted_at, "request_ids": case.request_ids,
        "unit_ids": [u["unit_id"] for u in case.units], "departments": list(case.departments),
        "case": case_to_doc(case),
    }


def _aware(at: datetime) -> datetime:
    """A datetime from the driver in UTC (a client without tz_aware returns naive UTC)."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class MongoCaseRepository:
    """The MongoDB adapter of CaseRepository (single-document atomic writes only)."""

    def __init__(self, db: Any, client: Any = None) -> None:
        self._db = db
        self._client = client
        self._cases = db["cases"]
        self.outbox = MongoOutbox(self._cases)

    async def ensure_indexes(self) -> None:
        """Indexes for every query this adapter runs."""
        await self._cases.create_index([("request_ids", ASCENDING)], name="request_ids")
        await self._cases.create_index([("community_id", ASCENDING), ("status", ASCENDING),
                                        ("submitted_at", DESCENDING)], name="community_status")
        await self._cases.create_index([("compound_id", ASCENDING), ("submitted_at", DESCENDING)], name="compound")
        await self._cases.create_index([("compound_id", ASCENDING), ("case.place.building", ASCENDING),
                                        ("submitted_at", DESCENDING)], name="compound_building")
        await self._cases.create_index([("unit_ids", ASCENDING), ("status", ASCENDING)], name="units")
        await self._cases.create_index([("departments", ASCENDING), ("status", ASCENDING)], name="departments")
        await self._cases.create_index([("needs_triage", ASCENDING), ("submitted_at", DESCENDING)], name="triage")
        await self._cases.create_index([("applied_events", ASCENDING)], name="applied_events")
        await self.outbox.ensure_indexes()

    async def create(self, case: Case, *, events: list[Envelope], event_id: str) -> bool:
        """Insert the case with its outbox; a duplicate id means the event was already applied."""
        doc = {"_id": case.case_id, "version": 0, **_fields(case), "applied_events": [event_id],
               "outbox": [], "outbox_pending": False}
        update = outbox_update(events)
        doc["outbox"] = update["$push"]["outbox"]["$each"]
        doc["outbox_pending"] = bool(doc["outbox"])
        try:
            await self._cases.insert_one(doc)
        except DuplicateKeyError:
            if await self.was_applied(event_id):
                return False
            raise ConcurrentUpdate(f"case {case.case_id} already exists") from None
        return True

    async def update(self, case: Case, *, events: list[Envelope], event_id: str | None) -> bool:
        """Conditional on version (and on the event not yet applied); outbox in the same update."""
        expected = case.version
        query: dict[str, Any] = {"_id": case.case_id, "version": expected}
        updates = [{"$set": {**_fields(case), "version": expected + 1}}]
        if event_id is not None:
            query["applied_events"] = {"$ne": event_id}
            updates.append({"$push": {"applied_events": {"$each": [event_id], "$slice": -APPLIED_KEEP}}})
        if events:
            updates.append(outbox_update(events))
        result = await self._cases.update_one(query, merge_updates(*updates))
        if result.modified_count == 1:
            case.version = expected + 1
            return True
        if event_id is not None and await self.was_applied(event_id):
            return False
        raise ConcurrentUpdate(f"case {case.case_id} changed since it was read")

    async def _load(self, query: dict[str, Any], limit: int = 0, newest_first: bool = True) -> list[Case]:
        cursor = self._cases.find(query, {"case": 1, "version": 1})
        cursor = cursor.sort("submitted_at", DESCENDING if newest_first else ASCENDING)
        if limit:
            cursor = cursor.limit(limit)
        cases = []
        async for doc in cursor:
            case = case_from_doc(doc["case"])
            case.version = int(doc["version"])
            cases.append(case)
        return cases

    async def get(self, case_id: str) -> Case | None:
        """One case by id."""
        found = await self._load({"_id": case_id}, 1)
        return found[0] if found else None

    async def find_by_request(self, request_id: str) -> Case | None:
        """The case a request belongs to."""
        found = await self._load({"request_ids": request_id}, 1)
        return found[0] if found else None

    async def list_cases(self, *, community_id: str | None = None, status: str | None = None,
                         unit_id: str | None = None, dept_code: str | None = None,
                         needs_triage: bool | None = None, limit: int = 50,
                         community_ids: Sequence[str] | None = None) -> list[Case]:
        """Filters combined with AND, newest first."""
        pairs = (("community_id", community_id), ("status", status), ("unit_ids", unit_id),
                 ("departments", dept_code), ("needs_triage", needs_triage))
        query: dict[str, Any] = {k: v for k, v in pairs if v is not None}
        if community_ids is not None:
            query["community_id"] = {"$in": [str(c) for c in community_ids], **(
                {"$eq": community_id} if community_id is not None else {})}
        return await self._load(query, limit)

    async def open_in_compound(self, compound_id: str, since: datetime, *, building: str | None = None,
                               limit: int = MAX_CANDIDATES) -> list[Candidate]:
        """Open cases of the compound (and building) since `since`: the fields duplicate detection reads."""
        query: dict[str, Any] = {"compound_id": compound_id, "submitted_at": {"$gte": since},
                                 "status": {"$in": list(OPEN_STATUSES)}}
        if building:
            query["case.place.building"] = {"$in": [str(building), None, ""]}  # None also matches a missing field
        fields = {"compound_id": 1, "status": 1, "submitted_at": 1, "case.text": 1, "case.place.building": 1}
        cursor = self._cases.find(query, fields).sort("submitted_at", DESCENDING).limit(limit)
        return [Candidate(doc["_id"], doc.get("compound_id"), doc["case"].get("place", {}).get("building") or None,
                          doc["case"].get("text") or "", doc["status"], _aware(doc["submitted_at"]))
                async for doc in cursor]

    async def triage_decisions(self, limit: int = 1000) -> list[Case]:
        """Cases a person classified by hand."""
        return await self._load({"triaged": True}, limit)

    async def request_known(self, *, event_id: str, request_id: str) -> bool:
        """One query on the applied-events and request-ids indexes, returning only the id."""
        query = {"$or": [{"applied_events": event_id}, {"request_ids": request_id}]}
        return await self._cases.find_one(query, {"_id": 1}) is not None

    async def was_applied(self, event_id: str) -> bool:
        """True when some case lists the event id as applied."""
        return await self._cases.find_one({"applied_events": event_id}, {"_id": 1}) is not None

    async def applied_with_prefix(self, prefix: str) -> bool:
        """An anchored regular expression (escaped: the key comes from a client) on the applied-events index."""
        query = {"applied_events": {"$regex": "^" + re.escape(prefix)}}
        return await self._cases.find_one(query, {"_id": 1}) is not None

    async def ping(self) -> bool:
        """True when MongoDB answers."""
        return await ping_mongo(self._db)

    async def close(self) -> None:
        """Close the client when this repository owns it."""
        if self._client is not None:
            await self._client.close()

