"""The MongoDB adapter: single-document conditional writes, rollup deltas parked on the fact until applied."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from contracts.envelope import Envelope
from reports.adapters.recent_facts import RecentFacts
from reports.adapters.repository import FactQuery, RollupQuery, VersionConflict
from reports.domain.facts import CaseFact, from_doc, to_doc
from reports.domain.rollups import MEASURES, BucketKey
from servicekit.storage.mongo import ping_mongo
from servicekit.storage.mongo_outbox import MongoOutbox, outbox_update

PATH_COLUMNS = ("district", "street", "community", "compound", "grid")
KEY_COLUMNS = ("grain", "day", "level", "node", "class_code", "category", "unit")
APPLIED_KEEP = 500
DUPLICATE_KEY = 11000


class MongoReportsRepository:
    """Reports state in MongoDB: `facts`, `rollups`, `hotspots` (whose documents carry the outbox)."""

    def __init__(self, db: Any, client: Any | None = None) -> None:
        self._db = db
        self._client = client
        self._facts = db["facts"]
        self._rollups = db["rollups"]
        self._hotspots = db["hotspots"]
        self._events = db["events"]
        self.outbox = MongoOutbox(self._hotspots)
        self._recent = RecentFacts()

    async def ensure_indexes(self) -> None:
        """Indexes for the fact filters, rollup scans and the outbox; then finish any parked delta."""
        await self._facts.create_index([("created_at", DESCENDING)], name="created")
        await self._facts.create_index([("community_id", ASCENDING), ("created_at", DESCENDING)], name="community")
        await self._facts.create_index([("is_open", ASCENDING), ("created_at", DESCENDING)], name="open")
        await self._facts.create_index([("pending_rollup.id", ASCENDING)], name="pending", sparse=True)
        await self._rollups.create_index([("grain", ASCENDING), ("level", ASCENDING), ("day", ASCENDING)],
                                         name="level_day")
        await self._rollups.create_index([("grain", ASCENDING), ("level", ASCENDING), ("street", ASCENDING),
                                          ("day", ASCENDING)],
                                         name="street")
        await self._rollups.create_index([("grain", ASCENDING), ("level", ASCENDING), ("community", ASCENDING),
                                          ("day", ASCENDING)],
                                         name="community")
        await self._hotspots.create_index([("detected_at", DESCENDING)], name="detected")
        await self._events.create_index([("seq", ASCENDING)], name="seq")
        await self.outbox.ensure_indexes()
        await self.recover_pending()

    async def recover_pending(self) -> int:
        """Apply rollup deltas a crash left parked on facts; returns how many facts had one."""
        count = 0
        async for doc in self._facts.find({"pending_rollup": {"$exists": True}}):
            await self._apply_pending(doc)
            count += 1
        return count

    async def get_fact(self, case_id: str) -> CaseFact | None:
        """The case's fact (finishing its parked delta first, so the next write never loses it).

        The fact this process last saved or read comes from memory: its own delta was applied by that save,
        and a newer stored version makes the next save's version check fail and the handler read again.
        """
        cached = self._recent.get(case_id)
        if cached is not None:
            return cached
        doc = await self._facts.find_one({"_id": case_id})
        if doc is None:
            return None
        if doc.get("pending_rollup"):
            await self._apply_pending(doc)
        fact = from_doc(doc)
        self._recent.put(fact)
        return fact

    async def save_fact(self, fact: CaseFact, *, expected_version: int,
                        delta: dict[BucketKey, dict[str, int]], event: Envelope | None = None) -> None:
        """Log the event (idempotent), conditional replace (or insert) carrying the delta, then apply the delta.

        No multi-document transaction: a crash after the log leaves the event logged and unapplied, and its
        redelivery applies it; a crash after the fact leaves the delta parked, finished by the next reader.
        """
        try:
            await self._save_fact(fact, expected_version=expected_version, delta=delta, event=event)
        except BaseException:
            self._recent.drop(fact.case_id)
            raise
        self._recent.put(fact)

    async def _save_fact(self, fact: CaseFact, *, expected_version: int,
                         delta: dict[BucketKey, dict[str, int]], event: Envelope | None) -> None:
        if event is not None:
            await self.append_event(event)
        doc = {"_id": fact.case_id, **to_doc(fact), "is_open": fact.is_open, "has_text": bool(fact.text)}
        pending = {"id": f"{fact.case_id}#{fact.version}",
                   "rows": [{"key": _key_doc(k), "inc": inc} for k, inc in delta.items()]}
        if delta:
            doc["pending_rollup"] = pending
        if expected_version == 0:
            try:
                await self._facts.insert_one(doc)
            except DuplicateKeyError:
                raise VersionConflict(fact.case_id) from None
        else:
            result = await self._facts.replace_one({"_id": fact.case_id, "version": expected_version}, doc)
            if result.matched_count == 0:
                raise VersionConflict(fact.case_id)
        if delta:
            await self._apply_pending(doc)

    async def _apply_pending(self, doc: dict[str, Any]) -> None:
        pending = doc["pending_rollup"]
        await self._inc_rows(pending["rows"], pending["id"])
        await self._facts.update_one({"_id": doc["_id"], "pending_rollup.id": pending["id"]},
                                     {"$unset": {"pending_rollup": ""}})

    async def _inc_rows(self, rows: list[dict[str, Any]], delta_id: str) -> None:
        """One unordered bulk of $inc upserts, each guarded by the row's recently applied delta ids.

        A retried delta changes nothing: the guard does not match a row that holds it, and the upsert's
        insert then fails on the row's _id (a duplicate key, ignored).
        """
        ops = []
        for row in rows:
            key, inc = row["key"], row["inc"]
            ops.append(UpdateOne(
                {"_id": "|".join(key[c] for c in KEY_COLUMNS), "applied": {"$ne": delta_id}},
                {"$inc": {f"m.{m}": v for m, v in inc.items()},
                 "$push": {"applied": {"$each": [delta_id], "$slice": -APPLIED_KEEP}},
                 "$setOnInsert": key}, upsert=True))
        if not ops:
            return
        try:
            await self._rollups.bulk_write(ops, ordered=False)
        except BulkWriteError as exc:
            if any(e.get("code") != DUPLICATE_KEY for e in exc.details.get("writeErrors", [])):
                raise
            if exc.details.get("writeConcernErrors"):
                raise

    async def rollup(self, query: RollupQuery) -> list[tuple[tuple[str, ...], dict[str, int]]]:
        """Sum measures per group with one aggregation."""
        match: dict[str, Any] = {"grain": query.grain, "level": query.level, **query.where}
        days: dict[str, str] = {}
        if query.day_from:
            days["$gte"] = query.day_from
        if query.day_to:
            days["$lte"] = query.day_to
        if days:
            match["day"] = days
        group_id = {g: f"${g}" for g in query.group_by} if query.group_by else None
        group: dict[str, Any] = {"_id": group_id, **{m: {"$sum": f"$m.{m}"} for m in MEASURES}}
        cursor = await self._rollups.aggregate([{"$match": match}, {"$group": group}])
        out = []
        async for row in cursor:
            ident = row["_id"] or {}
            sums = {m: int(row.get(m) or 0) for m in MEASURES}
            if query.group_by or any(sums.values()):
                out.append((tuple(str(ident.get(g, "")) for g in query.group_by), sums))
        return out

    async def facts(self, query: FactQuery) -> list[CaseFact]:
        """Facts matching the query, newest first."""
        cursor = (self._facts.find(_fact_filter(query)).sort([("created_at", DESCENDING), ("_id", ASCENDING)])
                  .skip(query.offset).limit(query.limit))
        return [from_doc(doc) async for doc in cursor]

    async def count_facts(self, query: FactQuery) -> int:
        """How many facts match."""
        return int(await self._facts.count_documents(_fact_filter(query)))

    async def save_hotspots(self, hotspots: list[dict[str, Any]], envelopes: list[Envelope]) -> int:
        """Insert each unseen hot issue with its event in the same document."""
        by_id = {e.data["hotspot_id"]: e for e in envelopes}
        new = 0
        for spot in hotspots:
            out = outbox_update([by_id[spot["hotspot_id"]]])
            doc = {"_id": spot["hotspot_id"], "doc": spot, "community_id": spot.get("community_id"),
                   "detected_at": spot["detected_at"], "outbox": out["$push"]["outbox"]["$each"],
                   "outbox_pending": True}
            try:
                await self._hotspots.insert_one(doc)
                new += 1
            except DuplicateKeyError:
                continue
        return new

    async def hotspots(self, *, community_id: str | None, limit: int) -> list[dict[str, Any]]:
        """Stored hot issues, newest first."""
        flt = {"community_id": community_id} if community_id else {}
        cursor = self._hotspots.find(flt).sort([("detected_at", DESCENDING), ("_id", ASCENDING)]).limit(limit)
        return [doc["doc"] async for doc in cursor]

    async def append_event(self, envelope: Envelope) -> bool:
        """Insert the raw event under its id; `seq` (arrival order) is time in microseconds, ties kept by id."""
        seq = int(envelope.time.timestamp() * 1_000_000)
        try:
            await self._events.insert_one({"_id": envelope.id, "seq": seq, "type": envelope.type,
                                           "body": envelope.model_dump_json()})
        except DuplicateKeyError:
            return False
        return True

    async def replay(self, *, after: int, limit: int) -> list[tuple[int, Envelope]]:
        """Logged events by event time; positions are that time, so a page ends on whole instants."""
        cursor = self._events.find({"seq": {"$gt": after}}).sort([("seq", ASCENDING), ("_id", ASCENDING)])
        docs = [d async for d in cursor.limit(limit)]
        if len(docs) == limit:  # never split one instant across pages, or its tail would be skipped
            last = docs[-1]["seq"]
            docs = [d for d in docs if d["seq"] < last] + [
                d async for d in self._events.find({"seq": last}).sort([("_id", ASCENDING)])]
        return [(int(d["seq"]), Envelope.model_validate_json(d["body"])) for d in docs]

    async def clear(self) -> None:
        """Delete facts and rollups (the event log and published hot issues stay)."""
        for coll in (self._facts, self._rollups):
            await coll.delete_many({})
        self._recent.clear()

    async def ping(self) -> bool:
        """True when the server answers."""
        return await ping_mongo(self._db)

    async def close(self) -> None:
        """Close the client."""
        if self._client is not None:
            await self._client.close()


def _key_doc(key: BucketKey) -> dict[str, str]:
    return {c: getattr(key, c) for c in (*KEY_COLUMNS, *PATH_COLUMNS)}


def _fact_filter(query: FactQuery) -> dict[str, Any]:
    flt: dict[str, Any] = dict(query.where)
    created: dict[str, str] = {}
    if query.created_from:
        created["$gte"] = query.created_from
    if query.created_to:
        created["$lt"] = query.created_to
    if created:
        flt["created_at"] = created
    if query.open_only:
        flt["is_open"] = True
    if query.text_only:
        flt["has_text"] = True
    return flt
