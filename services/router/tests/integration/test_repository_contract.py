"""Repository contract: the same behaviour from SQLite, the MongoDB adapter on mongomock, and real MongoDB."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from contracts.envelope import new_event
from contracts.events.cases import CaseProgressed
from contracts.events.common import Actor
from router.adapters.repository import ConcurrentUpdate
from router.adapters.sqlite_repository import SqliteCaseRepository
from router.domain.case import Case
from servicekit.storage.sqlite import SqliteDatabase

STORES = ["sqlite", "mongomock", pytest.param("mongodb", marks=pytest.mark.skipif(
    not os.environ.get("MONGODB_URL"), reason="MONGODB_URL not set"))]
NOW = datetime(2026, 5, 12, 2, 30, tzinfo=UTC)


@pytest.fixture(params=STORES)
async def repo(request, tmp_path, record_store):
    """A fresh, empty repository on each store."""
    record_store(request.param)
    if request.param == "sqlite":
        db = SqliteDatabase(tmp_path / "router.sqlite3")
        await db.open()
        repository = SqliteCaseRepository(db)
    else:
        from router.adapters.mongo_repository import MongoCaseRepository

        if request.param == "mongomock":
            from pymongo_async_mock import AsyncMongoMockClient

            client = AsyncMongoMockClient(tz_aware=True)
        else:
            from pymongo import AsyncMongoClient

            client = AsyncMongoClient(os.environ["MONGODB_URL"], tz_aware=True)
        db_name = f"t_router_{uuid.uuid4().hex[:8]}"
        repository = MongoCaseRepository(client[db_name])
        repository._drop = lambda: client.drop_database(db_name)  # type: ignore[attr-defined]
    await repository.ensure_indexes()
    yield repository
    if hasattr(repository, "_drop"):
        await repository._drop()
    await repository.close()


def make_case(case_id: str = "C1", *, request_id: str = "r-1", status: str = "assigned", compound: str = "p1",
              community: str = "c1", minutes_ago: int = 0, units: tuple[str, ...] = ("u-1",),
              departments: tuple[str, ...] = (), building: str | None = None) -> Case:
    at = NOW - timedelta(minutes=minutes_ago)
    place = {"community_id": community, "compound_id": compound, **({"building": building} if building else {})}
    return Case(case_id=case_id, community_id=community, place=place,
                text="楼上漏水", title=None, class_code="dispute", sub_category="leak", classified_by="rule", tier=1,
                sla_policy="leak-urgent", status=status, submitted_at=at, routed_at=at, updated_at=at,
                units=[{"unit_id": u, "kind": "grid_worker", "name": u} for u in units],
                departments=list(departments), reporters=[{"request_id": request_id, "tracking_code": "WS-1"}])


def progress_event(case_id: str):
    data = CaseProgressed(case_id=case_id, community_id="c1", from_status="assigned", status="in_progress", tier=1,
                          actor=Actor(kind="staff", id="u-1"), occurred_at=NOW)
    return new_event(data, source="/test", subject=case_id, now=NOW)


async def test_a_created_case_reads_back_with_its_outbox(repo):
    case = make_case()
    event = progress_event("C1")
    assert await repo.create(case, events=[event], event_id="e-1") is True
    stored = await repo.get("C1")
    assert stored is not None and stored.text == "楼上漏水" and stored.submitted_at == NOW and stored.version == 0
    pending = await repo.outbox.fetch_pending(10)
    assert [i.event_id for i in pending] == [event.id]
    await repo.outbox.mark_published(pending)
    assert await repo.outbox.fetch_pending(10) == []
    assert await repo.outbox.pending_count() == 0


async def test_creating_twice_with_the_same_event_id_stores_once(repo):
    assert await repo.create(make_case(), events=[progress_event("C1")], event_id="e-1") is True
    assert await repo.create(make_case(), events=[progress_event("C1")], event_id="e-1") is False
    assert len(await repo.outbox.fetch_pending(10)) == 1
    assert await repo.was_applied("e-1") and not await repo.was_applied("e-2")


async def test_an_update_is_conditional_on_the_version_read(repo):
    await repo.create(make_case(), events=[], event_id="e-1")
    first, second = await repo.get("C1"), await repo.get("C1")
    first.status = "accepted"
    assert await repo.update(first, events=[progress_event("C1")], event_id="e-2") is True
    assert first.version == 1
    second.status = "resolved"
    with pytest.raises(ConcurrentUpdate):
        await repo.update(second, events=[progress_event("C1")], event_id="e-3")
    stored = await repo.get("C1")
    assert stored.status == "accepted" and stored.version == 1
    assert len(await repo.outbox.fetch_pending(10)) == 1


async def test_replaying_an_applied_event_changes_nothing(repo):
    await repo.create(make_case(), events=[], event_id="e-1")
    case = await repo.get("C1")
    case.status = "accepted"
    assert await repo.update(case, events=[progress_event("C1")], event_id="e-2") is True
    again = await repo.get("C1")
    again.status = "resolved"
    assert await repo.update(again, events=[progress_event("C1")], event_id="e-2") is False
    assert (await repo.get("C1")).status == "accepted"
    assert len(await repo.outbox.fetch_pending(10)) == 1


async def test_queries_by_request_community_status_unit_and_department(repo):
    await repo.create(make_case("C1", request_id="r-1", minutes_ago=30), events=[], event_id="e-1")
    await repo.create(make_case("C2", request_id="r-2", status="whistled", departments=("huanwei",), units=("u-2",)),
                      events=[], event_id="e-2")
    await repo.create(make_case("C3", request_id="r-3", community="c2"), events=[], event_id="e-3")
    assert (await repo.find_by_request("r-2")).case_id == "C2"
    assert await repo.find_by_request("r-9") is None
    assert [c.case_id for c in await repo.list_cases(community_id="c1")] == ["C2", "C1"]
    assert [c.case_id for c in await repo.list_cases(status="whistled")] == ["C2"]
    assert [c.case_id for c in await repo.list_cases(unit_id="u-2")] == ["C2"]
    assert [c.case_id for c in await repo.list_cases(dept_code="huanwei")] == ["C2"]
    assert len(await repo.list_cases(limit=2)) == 2


async def test_a_request_is_known_by_its_applied_event_or_its_case(repo):
    await repo.create(make_case(), events=[], event_id="e-1")
    case = await repo.get("C1")
    case.reporters.append({"request_id": "r-2", "tracking_code": "WS-2"})
    await repo.update(case, events=[], event_id="e-2")
    assert await repo.request_known(event_id="e-1", request_id="r-9")
    assert await repo.request_known(event_id="e-9", request_id="r-2")
    assert not await repo.request_known(event_id="e-9", request_id="r-9")


async def test_a_merged_request_is_found_through_its_case(repo):
    await repo.create(make_case(), events=[], event_id="e-1")
    case = await repo.get("C1")
    case.reporters.append({"request_id": "r-2", "tracking_code": "WS-2"})
    await repo.update(case, events=[], event_id="e-2")
    assert (await repo.find_by_request("r-2")).case_id == "C1"


async def test_open_cases_in_a_compound_within_a_window(repo):
    await repo.create(make_case("C1", request_id="r-1", minutes_ago=10), events=[], event_id="e-1")
    await repo.create(make_case("C2", request_id="r-2", minutes_ago=600), events=[], event_id="e-2")
    await repo.create(make_case("C3", request_id="r-3", status="closed"), events=[], event_id="e-3")
    await repo.create(make_case("C4", request_id="r-4", compound="p2"), events=[], event_id="e-4")
    found = await repo.open_in_compound("p1", NOW - timedelta(hours=2))
    assert [c.case_id for c in found] == ["C1"]


async def test_duplicate_candidates_are_the_buildings_own_cases_and_those_naming_none(repo):
    await repo.create(make_case("C1", request_id="r-1", building="5", minutes_ago=30), events=[], event_id="e-1")
    await repo.create(make_case("C2", request_id="r-2", building="7", minutes_ago=20), events=[], event_id="e-2")
    await repo.create(make_case("C3", request_id="r-3", minutes_ago=10), events=[], event_id="e-3")
    since = NOW - timedelta(hours=2)
    found = await repo.open_in_compound("p1", since, building="5")
    assert [(c.case_id, c.building) for c in found] == [("C3", None), ("C1", "5")]
    assert (found[1].text, found[1].status, found[1].compound_id) == ("楼上漏水", "assigned", "p1")
    assert found[1].submitted_at == NOW - timedelta(minutes=30)
    assert [c.case_id for c in await repo.open_in_compound("p1", since)] == ["C3", "C2", "C1"]


async def test_open_cases_of_other_buildings_are_not_read_as_candidates(repo):
    for n in range(120):
        await repo.create(make_case(f"C-other-{n}", request_id=f"r-other-{n}", building=str(100 + n)),
                          events=[], event_id=f"e-other-{n}")
    await repo.create(make_case("C-own", request_id="r-own", building="5", minutes_ago=5), events=[], event_id="e-own")
    found = await repo.open_in_compound("p1", NOW - timedelta(hours=2), building="5")
    assert [c.case_id for c in found] == ["C-own"]


async def test_duplicate_candidates_are_the_newest_up_to_the_limit(repo):
    for n in range(5):
        await repo.create(make_case(f"C{n}", request_id=f"r-{n}", building="5", minutes_ago=n), events=[],
                          event_id=f"e-{n}")
    found = await repo.open_in_compound("p1", NOW - timedelta(hours=2), building="5", limit=3)
    assert [c.case_id for c in found] == ["C0", "C1", "C2"]


async def test_a_changed_building_moves_the_case_between_candidate_sets(repo):
    await repo.create(make_case("C1", building="5"), events=[], event_id="e-1")
    case = await repo.get("C1")
    case.place["building"] = "6"
    assert await repo.update(case, events=[], event_id="e-2")
    since = NOW - timedelta(hours=2)
    assert await repo.open_in_compound("p1", since, building="5") == []
    assert [c.case_id for c in await repo.open_in_compound("p1", since, building="6")] == ["C1"]


async def test_triage_queue_and_decisions(repo):
    waiting = make_case("C1", request_id="r-1", status="triage")
    waiting.needs_triage = True
    decided = make_case("C2", request_id="r-2")
    decided.triage_decision = {"class_code": "dispute", "sub_category": "leak", "by": "op-1"}
    await repo.create(waiting, events=[], event_id="e-1")
    await repo.create(decided, events=[], event_id="e-2")
    assert [c.case_id for c in await repo.list_cases(needs_triage=True)] == ["C1"]
    assert [c.case_id for c in await repo.triage_decisions()] == ["C2"]
    assert await repo.ping() is True


async def test_applied_event_ids_are_found_by_prefix_and_regex_characters_stay_literal(repo):
    case = make_case("C-prefix", request_id="r-prefix")
    assert await repo.create(case, events=[], event_id="seed:C-prefix")
    stored = await repo.get("C-prefix")
    assert await repo.update(stored, events=[], event_id="http:C-prefix:k.*:abc123")
    assert await repo.applied_with_prefix("http:C-prefix:k.*:")
    assert not await repo.applied_with_prefix("http:C-prefix:k.:")  # `.*` is not a pattern
    assert not await repo.applied_with_prefix("http:C-prefix:other:")
    assert await repo.applied_with_prefix("http:C-prefix:")


async def test_listing_by_a_set_of_communities(repo):
    for n, community in enumerate(("c-a", "c-b", "c-c")):
        case = make_case(f"C-set-{n}", request_id=f"r-set-{n}")
        case.community_id = community
        assert await repo.create(case, events=[], event_id=f"seed:set-{n}")
    found = await repo.list_cases(community_ids=["c-a", "c-c"], limit=10)
    assert sorted(c.community_id for c in found) == ["c-a", "c-c"]
    assert await repo.list_cases(community_ids=[], limit=10) == []
    assert [c.community_id for c in await repo.list_cases(community_ids=["c-a", "c-b"], community_id="c-b")] == ["c-b"]
