"""The MongoDB adapter: a versioned case document (with its outbox) and one timer document per timer.

MongoDB writes are atomic per document only, so a case change is written first, with the timer set it
wants and a `timers_dirty` flag, and the timer documents are then brought in line from the latest case
document; a crash in between is repaired by the redelivered event or by `repair()` on the next tick.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.errors import DuplicateKeyError

from contracts.envelope import Envelope
from notifier.adapters.documents import (
    asset_from_doc,
    asset_to_doc,
    case_from_doc,
    case_to_doc,
    timer_from_doc,
    timer_to_doc,
    utc,
)
from notifier.adapters.repository import APPLIED_EVENTS_KEPT, ConcurrentUpdate
from notifier.domain.assets import Asset
from notifier.domain.case_clock import CaseClock
from notifier.domain.timers import Timer
from servicekit.storage.mongo_outbox import merge_updates, outbox_update


class MongoTimerRepository:
    """TimerRepository on two collections: `cases` and `timers`."""

    def __init__(self, db: Any) -> None:
        self.cases = db["cases"]
        self.timers = db["timers"]
        self.assets = db["assets"]

    async def ensure_indexes(self) -> None:
        """Due-time index for claiming, per-case index for listing and syncing, dirty-case index."""
        await self.timers.create_index([("status", ASCENDING), ("due_at", ASCENDING)], name="status_due")
        await self.timers.create_index([("case_id", ASCENDING), ("due_at", ASCENDING)], name="case_due")
        for owners in (self.cases, self.assets):
            await owners.create_index([("timers_dirty", ASCENDING)], name="timers_dirty",
                                      partialFilterExpression={"timers_dirty": True})

    async def get_case(self, case_id: str) -> CaseClock | None:
        """The case's clock with its version."""
        doc = await self.cases.find_one({"_id": case_id}, {"outbox": 0, "applied_events": 0})
        return None if doc is None else case_from_doc(doc["state"], int(doc["version"]))

    async def get_cases(self, case_ids: Collection[str]) -> dict[str, CaseClock]:
        """The clocks of several cases in one query."""
        cursor = self.cases.find({"_id": {"$in": list(dict.fromkeys(case_ids))}},
                                 {"outbox": 0, "applied_events": 0, "wanted_timers": 0})
        return {d["_id"]: case_from_doc(d["state"], int(d["version"])) async for d in cursor}

    async def save_case(self, case: CaseClock, *, timers: list[Timer], events: list[Envelope], event_id: str) -> bool:
        """Conditional single-document write of the case (version and applied-event guards), then timer sync."""
        state = {"state": case_to_doc(case), "wanted_timers": [timer_to_doc(t) for t in timers],
                 "timers_dirty": True, "updated_at": datetime.now(UTC)}
        if case.version == 0:
            entries = outbox_update(events)["$push"]["outbox"]["$each"]
            doc = {"_id": case.case_id, "version": 1, "applied_events": [event_id], **state,
                   "outbox": entries, "outbox_pending": bool(entries)}
            try:
                await self.cases.insert_one(doc)
            except DuplicateKeyError:
                return await self._already_applied(case.case_id, event_id)
        else:
            update = merge_updates(
                {"$set": state, "$inc": {"version": 1}},
                {"$push": {"applied_events": {"$each": [event_id], "$slice": -APPLIED_EVENTS_KEPT}}},
                outbox_update(events) if events else {})
            result = await self.cases.update_one(
                {"_id": case.case_id, "version": case.version, "applied_events": {"$ne": event_id}}, update)
            if result.matched_count == 0:
                return await self._already_applied(case.case_id, event_id)
        await self._sync(case.case_id)
        return True

    async def _already_applied(self, case_id: str, event_id: str) -> bool:
        doc = await self.cases.find_one({"_id": case_id}, {"applied_events": 1})
        if doc is not None and event_id in doc.get("applied_events", []):
            await self._sync(case_id)  # the first attempt may have stopped before its timer sync
            return False
        raise ConcurrentUpdate(f"case {case_id} changed concurrently")

    async def _sync(self, case_id: str, owners: Any = None) -> None:
        """Make the timer documents match the owner's wanted set; repeat if the owner changed meanwhile."""
        owners = self.cases if owners is None else owners
        for _ in range(10):
            doc = await owners.find_one({"_id": case_id}, {"wanted_timers": 1, "version": 1})
            if doc is None:
                return
            wanted = doc.get("wanted_timers") or []
            for t in wanted:
                await self._want(t)
            await self.timers.update_many(
                {"case_id": case_id, "status": "scheduled", "_id": {"$nin": [t["timer_id"] for t in wanted]}},
                {"$set": {"status": "cancelled", "lease_owner": None, "lease_until": None}})
            marked = await owners.update_one({"_id": case_id, "version": doc["version"]},
                                                 {"$set": {"timers_dirty": False}})
            if marked.matched_count:
                return

    async def _want(self, t: dict[str, Any]) -> None:
        try:
            await self.timers.update_one(
                {"_id": t["timer_id"], "status": {"$ne": "fired"}},
                {"$set": {"status": "scheduled", "tier": t["tier"]},
                 "$setOnInsert": {k: v for k, v in t.items() if k not in ("status", "tier")}},
                upsert=True)
        except DuplicateKeyError:
            pass  # it exists and has fired: a fired timer is never re-armed

    async def timers_for_case(self, case_id: str) -> list[Timer]:
        """Every timer of the case in due order."""
        cursor = self.timers.find({"case_id": case_id}).sort([("due_at", ASCENDING), ("_id", ASCENDING)])
        return [timer_from_doc(d) async for d in cursor]

    async def claim_due_timers(self, now: datetime, lease_owner: str, lease_s: float, limit: int) -> list[Timer]:
        """One find_one_and_update per timer: scheduled, due, lease free or expired; earliest first."""
        until = now + timedelta(seconds=lease_s)
        claimed: list[Timer] = []
        for _ in range(limit):
            doc = await self.timers.find_one_and_update(
                {"status": "scheduled", "due_at": {"$lte": now},
                 "$or": [{"lease_until": None}, {"lease_until": {"$lte": now}}]},
                {"$set": {"lease_owner": lease_owner, "lease_until": until}},
                sort=[("due_at", ASCENDING)], return_document=ReturnDocument.AFTER)
            if doc is None:
                break
            claimed.append(timer_from_doc(doc))
        return claimed

    async def complete_timers(self, timers: list[Timer], *, lease_owner: str, fired_at: datetime,
                              events: Mapping[str, list[Envelope]]) -> set[str]:
        """One conditional update per timer (its events ride in its own document's outbox), sent together."""
        async def complete(timer: Timer) -> str | None:
            wanted = events.get(timer.timer_id) or []
            update = merge_updates({"$set": {"status": "fired", "fired_at": fired_at, "lease_until": None}},
                                   outbox_update(wanted) if wanted else {})
            result = await self.timers.update_one(
                {"_id": timer.timer_id, "lease_owner": lease_owner, "status": "scheduled"}, update)
            return timer.timer_id if result.modified_count == 1 else None

        done = await asyncio.gather(*(complete(t) for t in timers))
        return {tid for tid in done if tid is not None}

    async def next_due_at(self) -> datetime | None:
        """Earliest due instant among scheduled timers."""
        doc = await self.timers.find_one({"status": "scheduled"}, {"due_at": 1}, sort=[("due_at", ASCENDING)])
        return utc(doc["due_at"]) if doc else None

    async def count_timers(self, status: str) -> int:
        """How many timers are in this status."""
        return int(await self.timers.count_documents({"status": status}))

    async def save_asset(self, asset: Asset, *, timers: list[Timer]) -> None:
        """Upsert the asset with its wanted reminders (version bumped), then sync the timer documents."""
        owner = asset.owner_id()
        await self.assets.update_one(
            {"_id": owner}, {"$set": {"state": asset_to_doc(asset), "wanted_timers": [timer_to_doc(t) for t in timers],
                                      "timers_dirty": True}, "$inc": {"version": 1}}, upsert=True)
        await self._sync(owner, self.assets)

    async def get_asset(self, asset_id: str) -> Asset | None:
        """An asset register entry."""
        doc = await self.assets.find_one({"_id": f"asset:{asset_id}"}, {"state": 1})
        return None if doc is None else asset_from_doc(doc["state"])

    async def repair(self) -> int:
        """Sync the timers of cases and assets whose last change stopped before its timer sync."""
        repaired = 0
        for owners in (self.cases, self.assets):
            ids = [d["_id"] async for d in owners.find({"timers_dirty": True}, {"_id": 1}).limit(500)]
            for owner_id in ids:
                await self._sync(owner_id, owners)
            repaired += len(ids)
        return repaired
