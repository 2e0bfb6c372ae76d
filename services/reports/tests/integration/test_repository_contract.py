"""One contract for both stores: SQLite, the MongoDB adapter on mongomock, and a real MongoDB when set."""

from __future__ import annotations

import os
import random
import uuid
from collections import Counter

import pytest

from contracts.envelope import new_event
from contracts.events.reports import HotspotDetected
from reports.adapters.mongo_repository import MongoReportsRepository
from reports.adapters.repository import FactQuery, RollupQuery, VersionConflict
from reports.adapters.sqlite_repository import SqliteReportsRepository
from reports.domain.facts import CaseFact
from reports.domain.org import OrgIndex
from reports.domain.rollups import measures
from reports.handlers import consume_event, project_event, rebuild

STORES = ["sqlite", "mongomock", *(["mongodb"] if os.environ.get("MONGODB_URL") else [])]


@pytest.fixture(params=STORES)
async def repo(request, tmp_path, record_store):
    record_store(request.param)
    if request.param == "sqlite":
        store = SqliteReportsRepository(tmp_path / "reports.sqlite3")
    elif request.param == "mongomock":
        from pymongo_async_mock import AsyncMongoMockClient
        store = MongoReportsRepository(AsyncMongoMockClient()["whistle_reports_test"])
    else:
        from servicekit.storage.mongo import connect_mongo
        client, db = connect_mongo(os.environ["MONGODB_URL"], f"whistle_reports_t{uuid.uuid4().hex[:8]}")
        store = MongoReportsRepository(db, client)
    await store.ensure_indexes()
    yield store
    if request.param == "mongodb":
        await store._client.drop_database(store._db.name)
    await store.close()


def cases(story):
    a, b, c = story("a"), story("b", community="qc-jh-xh", compound="qc-jh-xh-xy", grid="g-jh-xh-xy-1",
                                   class_code="safety", category="fire"), story("c", category="noise")
    return [a.routed(0), a.transition("accepted", 10), a.transition("resolved", 60), a.transition("closed", 70),
            b.routed(5), b.scheduled(6, response_in=30, resolution_in=120), b.breached("response", 35),
            c.routed(7), c.transition("cancelled", 8)]


async def test_projected_events_are_stored_once_and_summed_by_the_rollups(repo, story):
    events = cases(story)
    for env in events + events[:3]:
        await project_event(repo, OrgIndex(), env)
    [((), totals)] = await repo.rollup(RollupQuery(level="district"))
    assert totals["cases"] == 3 and totals["closed"] == 1 and totals["cancelled"] == 1
    assert totals["open"] == 1 and totals["response_overdue"] == 1
    by_node = dict(await repo.rollup(RollupQuery(level="community", group_by=("node",))))
    assert by_node[("qc-jh-jh",)]["cases"] == 2 and by_node[("qc-jh-xh",)]["cases"] == 1
    inside = await repo.rollup(RollupQuery(level="grid", where={"community": "qc-jh-xh"}, group_by=("node",)))
    assert [k for k, _ in inside] == [("g-jh-xh-xy-1",)]


async def test_rollups_equal_a_recomputation_from_the_facts_whatever_the_order(repo, story):
    events = cases(story)
    random.Random(7).shuffle(events)
    for env in events:
        await project_event(repo, OrgIndex(), env)
    facts = await repo.facts(FactQuery())
    expected = sum((measures(f) for f in facts), Counter())
    [((), totals)] = await repo.rollup(RollupQuery(level="street"))
    assert {k: v for k, v in totals.items() if v} == dict(expected)


async def test_a_stale_version_is_refused(repo):
    fact = CaseFact(case_id="x", version=1)
    await repo.save_fact(fact, expected_version=0, delta={})
    with pytest.raises(VersionConflict):
        await repo.save_fact(CaseFact(case_id="x", version=2), expected_version=0, delta={})
    await repo.save_fact(CaseFact(case_id="x", version=2), expected_version=1, delta={})
    assert (await repo.get_fact("x")).version == 2


async def test_fact_queries_filter_by_place_time_and_open(repo, story):
    for env in cases(story):
        await project_event(repo, OrgIndex(), env)
    assert [f.case_id for f in await repo.facts(FactQuery(where={"community_id": "qc-jh-xh"}))] == ["b"]
    assert [f.case_id for f in await repo.facts(FactQuery(open_only=True))] == ["b"]
    assert await repo.count_facts(FactQuery(created_from="2026-11-02T01:06:00.000000+00:00")) == 1
    assert [f.case_id for f in await repo.facts(FactQuery(limit=2))] == ["c", "b"]


async def test_hot_issues_are_stored_once_with_their_event_in_the_outbox(repo):
    spot = {"hotspot_id": "h1", "community_id": "qc-jh-jh", "place": "金湖社区", "terms": ["漏水"],
            "request_ids": ["r1", "r2", "r3"], "score": 9.5, "detected_at": "2026-11-02T01:00:00+00:00",
            "window_start": "2026-10-26T01:00:00+00:00", "window_end": "2026-11-02T01:00:00+00:00"}
    env = new_event(HotspotDetected.model_validate({**spot, "detected_at": spot["detected_at"]}),
                    source="/whistle/reports", subject="h1")
    assert await repo.save_hotspots([spot], [env]) == 1
    assert await repo.save_hotspots([spot], [env]) == 0
    assert [h["hotspot_id"] for h in await repo.hotspots(community_id="qc-jh-jh", limit=10)] == ["h1"]
    pending = await repo.outbox.fetch_pending(10)
    assert [p.event_id for p in pending] == [env.id]
    await repo.outbox.mark_published(pending)
    assert await repo.outbox.fetch_pending(10) == []


async def test_clear_forgets_facts_and_rollups(repo, story):
    for env in cases(story):
        await project_event(repo, OrgIndex(), env)
    await repo.clear()
    assert await repo.rollup(RollupQuery()) == []
    assert await repo.count_facts(FactQuery()) == 0


async def test_a_rebuild_from_the_event_log_gives_the_same_facts_and_rollups(repo, story):
    events = cases(story)
    for env in events + events[:2]:
        await consume_event(repo, OrgIndex(), env)
    before_facts = await repo.facts(FactQuery())
    before = await repo.rollup(RollupQuery(level="grid", group_by=("node", "category", "day")))
    assert [p for p, _ in await repo.replay(after=0, limit=100)] == sorted(
        p for p, _ in await repo.replay(after=0, limit=100))
    assert len(await repo.replay(after=0, limit=100)) == len(events)
    assert await rebuild(repo, OrgIndex(), batch=2) == len(events)
    assert await repo.facts(FactQuery()) == before_facts
    assert sorted(await repo.rollup(RollupQuery(level="grid", group_by=("node", "category", "day")))) == sorted(before)


def second_writer(repo):
    """Another process's repository over the same store."""
    if isinstance(repo, SqliteReportsRepository):
        return SqliteReportsRepository(repo.db.path)
    return MongoReportsRepository(repo._db)


async def test_a_fact_another_writer_moved_on_is_read_again_not_overwritten(repo, story):
    other = second_writer(repo)
    await other.ensure_indexes()
    a = story("a")
    accepted = a.transition("accepted", 10)
    try:
        assert await consume_event(repo, OrgIndex(), a.routed(0)) == "applied"  # repo now remembers version 1
        assert await consume_event(other, OrgIndex(), accepted) == "applied"
        assert await consume_event(repo, OrgIndex(), a.transition("resolved", 60)) == "applied"
        assert await consume_event(repo, OrgIndex(), accepted) == "duplicate"
    finally:
        if isinstance(other, SqliteReportsRepository):
            await other.close()
    [fact] = await repo.facts(FactQuery())
    assert fact.version == 3 and fact.status == "resolved" and fact.first_response_at is not None
    [((), totals)] = await repo.rollup(RollupQuery(level="community"))
    assert {k: v for k, v in totals.items() if v} == dict(measures(fact))


async def test_events_the_projection_does_not_use_are_logged_and_change_no_fact(repo, story):
    a = story("a")
    routed = a.routed(0)
    submitted = routed.model_copy(update={"id": "req-1", "type": "request.submitted.v1",
                                          "data": {"request_id": "r-a", "text": "漏水"}})
    sent = routed.model_copy(update={"id": "sent-1", "type": "notification.sent.v1",
                                     "data": {"case_id": "a", "notification_id": "n1"}})
    assert [await consume_event(repo, OrgIndex(), e) for e in (submitted, routed, sent, sent)] == [
        "ignored", "applied", "ignored", "ignored"]
    assert sorted(e.id for _, e in await repo.replay(after=0, limit=10)) == sorted(["req-1", routed.id, "sent-1"])
    [fact] = await repo.facts(FactQuery())
    assert fact.version == 1 and fact.applied_events == (routed.id,)
