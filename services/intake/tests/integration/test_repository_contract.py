"""One set of repository contract tests on SQLite, on the MongoDB adapter over mongomock, and on a real MongoDB."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from contracts.envelope import new_event
from contracts.events.common import Place
from contracts.events.intake import RequestSubmitted
from intake.adapters.mongo_repository import MongoRequestRepository
from intake.adapters.repository import DuplicateRequest, RequestQuery
from intake.adapters.sqlite_repository import SqliteRequestRepository
from intake.domain.model import IntakeRequest, TimelineEntry
from servicekit.storage.sqlite import SqliteDatabase

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
STORES = ["sqlite", "mongomock", pytest.param("mongodb", marks=pytest.mark.skipif(
    not os.environ.get("MONGODB_URL"), reason="MONGODB_URL not set: no real MongoDB here"))]


@pytest.fixture(params=STORES)
async def repo(request, tmp_path, record_store) -> AsyncIterator[object]:
    record_store(request.param)
    if request.param == "sqlite":
        db = SqliteDatabase(tmp_path / "intake.sqlite3")
        sqlite_repo = SqliteRequestRepository(db)
        await sqlite_repo.open()
        yield sqlite_repo
        await db.close()
        return
    if request.param == "mongomock":
        from pymongo_async_mock import AsyncMongoMockClient

        client = AsyncMongoMockClient(tz_aware=True)
        name = "whistle_intake_test"
    else:
        from pymongo import AsyncMongoClient

        client = AsyncMongoClient(os.environ["MONGODB_URL"], tz_aware=True)
        name = f"whistle_intake_t{uuid.uuid4().hex[:8]}"
    mongo_repo = MongoRequestRepository(client[name])
    await mongo_repo.ensure_indexes()
    yield mongo_repo
    await client.drop_database(name)
    if request.param == "mongodb":
        await client.close()


def make(n: int, **changes) -> IntakeRequest:
    req = IntakeRequest(
        id=f"r{n}", tracking_code=f"WS-20261120-{n:06d}", token_hash="h", channel="api", compound_id="c1",
        community_id="m1", street_id="s1", district_id="d1", grid_id=None, text=f"诉求{n}",
        submitted_at=T0 + timedelta(minutes=n), phone_masked="138****1234", contact_enc="enc",
        timeline=[TimelineEntry(T0, "submitted", "已受理")])
    for key, value in changes.items():
        setattr(req, key, value)
    return req


def event(req: IntakeRequest):
    data = RequestSubmitted(request_id=req.id, tracking_code=req.tracking_code, channel=req.channel,
                            place=Place(community_id=req.community_id), text=req.text, submitted_at=req.submitted_at)
    return new_event(data, source="/test", subject=req.id)


async def test_a_request_and_its_event_are_stored_together_and_read_back(repo):
    req = make(1, sub_category="fire", building="3")
    await repo.add(req, [event(req)])
    back = await repo.get("r1")
    assert back == req
    assert (await repo.by_tracking_code(req.tracking_code)).id == "r1"
    pending = await repo.outbox.fetch_pending(10)
    assert [p.routing_key for p in pending] == ["request.submitted.v1"]
    await repo.outbox.mark_published(pending)
    assert await repo.outbox.fetch_pending(10) == []
    assert await repo.get("missing") is None


async def test_daily_counters_are_independent_and_increase(repo):
    assert [await repo.reserve_sequences("20261120", 1) for _ in range(3)] == [1, 2, 3]
    assert await repo.reserve_sequences("20261120", 10) == 13  # a block's last number
    assert await repo.reserve_sequences("20261121", 1) == 1


async def test_blocks_of_numbers_reserved_by_two_processes_never_overlap(repo):
    from intake.adapters.sequence_blocks import SequenceBlocks

    first, second = SequenceBlocks(repo, block=5), SequenceBlocks(repo, block=5)
    numbers = [await first.next("20261122") for _ in range(7)] + [await second.next("20261122") for _ in range(7)]
    numbers += [await first.next("20261122") for _ in range(4)]
    assert len(set(numbers)) == len(numbers) == 18
    assert numbers[:7] == [1, 2, 3, 4, 5, 6, 7]  # one process counts up within its blocks
    assert min(numbers[7:14]) == 11  # the second took the next free block
    assert await repo.reserve_sequences("20261122", 1) == 26  # four blocks of five, then this one
    assert await first.next("20261123") == 1  # a new day starts again at one


async def test_idempotency_keys_and_external_refs_are_unique_but_may_be_absent(repo):
    await repo.add(make(1, idempotency_key="k1"), [])
    await repo.add(make(2), [])
    await repo.add(make(3), [])
    with pytest.raises(DuplicateRequest) as dup:
        await repo.add(make(4, idempotency_key="k1"), [])
    assert dup.value.field == "idempotency_key"
    await repo.add(make(5, external_ref="12345-001"), [])
    with pytest.raises(DuplicateRequest) as dup:
        await repo.add(make(6, external_ref="12345-001"), [])
    assert dup.value.field == "external_ref"
    assert (await repo.by_idempotency_key("k1")).id == "r1"
    assert (await repo.by_external_ref("12345-001")).id == "r5"
    assert await repo.count() == 4


async def test_save_is_conditional_on_the_version_and_carries_events(repo):
    req = make(1)
    await repo.add(req, [])
    first = await repo.get("r1")
    second = await repo.get("r1")
    first.status, first.case_id = "assigned", "case-1"
    assert await repo.save(first, expected_version=0, events=[event(first)]) is True
    second.status = "cancelled"
    assert await repo.save(second, expected_version=0, events=[]) is False
    stored = await repo.get("r1")
    assert (stored.status, stored.version) == ("assigned", 1)
    assert [r.id for r in await repo.by_case("case-1")] == ["r1"]
    assert len(await repo.outbox.fetch_pending(10)) == 1


async def test_find_filters_by_ids_category_status_and_time(repo):
    for n in range(1, 6):
        await repo.add(make(n, sub_category="fire" if n % 2 else "noise", status="closed" if n == 5 else "submitted"),
                       [])
    assert [r.id for r in await repo.find(RequestQuery())] == ["r5", "r4", "r3", "r2", "r1"]
    assert [r.id for r in await repo.find(RequestQuery(ids=("r2", "r4", "zz")))] == ["r4", "r2"]
    assert [r.id for r in await repo.find(RequestQuery(sub_category="fire"))] == ["r5", "r3", "r1"]
    assert [r.id for r in await repo.find(RequestQuery(statuses=("closed",)))] == ["r5"]
    window = RequestQuery(start=T0 + timedelta(minutes=2), end=T0 + timedelta(minutes=3))
    assert [r.id for r in await repo.find(window)] == ["r3", "r2"]
    assert len(await repo.find(RequestQuery(limit=2))) == 2


async def test_retention_finds_closed_requests_with_contact_past_the_cutoff(repo):
    await repo.add(make(1, status="closed", closed_at=T0), [])
    await repo.add(make(2, status="closed", closed_at=T0 + timedelta(days=10)), [])
    await repo.add(make(3), [])
    await repo.add(make(4, status="closed", closed_at=T0, contact_enc=None), [])
    found = await repo.closed_with_contact_before(T0 + timedelta(days=1))
    assert [r.id for r in found] == ["r1"]
    assert await repo.ping() is True


async def test_parked_events_stay_in_order_until_forgotten(repo):
    await repo.park_event("case-1", "e1", "first")
    await repo.park_event("case-1", "e2", "second")
    await repo.park_event("case-1", "e1", "first again")
    await repo.park_event("case-2", "e3", "other")
    assert await repo.parked("case-1") == [("e1", "first"), ("e2", "second")]
    assert await repo.parked("case-1") == [("e1", "first"), ("e2", "second")]  # reading does not take them
    await repo.forget_parked(["e1"])
    assert await repo.parked("case-1") == [("e2", "second")]
    await repo.forget_parked(["e2", "e2", "never-parked"])
    assert await repo.parked("case-1") == []
    assert await repo.parked("case-2") == [("e3", "other")]


async def test_a_parked_event_survives_a_replay_that_fails_and_is_applied_by_the_next_one(repo):
    from contracts.events.sla import SlaScheduled
    from intake.handlers import _replay_parked

    await repo.add(make(1, case_id="case-1", status="assigned"), [])
    scheduled = new_event(SlaScheduled(case_id="case-1", community_id="m1", tier=1, sla_policy="p",
                                       resolution_due=T0 + timedelta(days=3), scheduled_at=T0),
                          source="/whistle/notifier", subject="case-1")
    await repo.park_event("case-1", scheduled.id, scheduled.model_dump_json())

    class Interrupted(Exception):
        pass

    real_save = repo.save

    async def failing_save(*args, **kwargs):
        raise Interrupted  # e.g. the delivery cancelled by a broker restart

    repo.save = failing_save
    with pytest.raises(Interrupted):
        await _replay_parked(repo, "case-1")
    repo.save = real_save
    assert [e for e, _ in await repo.parked("case-1")] == [scheduled.id]
    assert await _replay_parked(repo, "case-1") == 1
    assert (await repo.get("r1")).deadline == T0 + timedelta(days=3)
    assert await repo.parked("case-1") == []
