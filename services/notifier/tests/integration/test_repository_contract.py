"""The repository contract, the same on SQLite, on the MongoDB adapter over mongomock and on a real MongoDB."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from notifier.adapters.repository import ConcurrentUpdate
from notifier.domain.case_clock import CaseClock, ClockStatus, SlaRules, restart, stop
from notifier.domain.timers import TimerStatus
from notifier.handlers import timer_event

T0 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


def new_case(rules: SlaRules, case_id: str = "c1") -> CaseClock:
    base = CaseClock(case_id=case_id, community_id="qc-jh-jh", tier=1, policy="", status=ClockStatus.RUNNING,
                     category_class="dispute", sub_category="leak")
    return restart(base, rules, at=T0)


async def saved(store, rules, case_id="c1", event_id="e1"):
    case = new_case(rules, case_id)
    assert await store.timers.save_case(case, timers=case.timers(rules.calendar), events=[], event_id=event_id)
    return await store.timers.get_case(case_id)


async def test_a_saved_case_comes_back_with_its_timers_and_outbox_event(store, rules, events):
    case = new_case(rules)
    envelope = events.routed("c1")
    assert await store.timers.save_case(case, timers=case.timers(rules.calendar), events=[envelope], event_id="e1")
    back = await store.timers.get_case("c1")
    assert back is not None and back.version == 1
    assert back.response == case.response and back.resolution == case.resolution
    timers = await store.timers.timers_for_case("c1")
    assert {t.timer_id for t in timers} == {t.timer_id for t in case.timers(rules.calendar)}
    assert all(t.status is TimerStatus.SCHEDULED for t in timers)
    assert [t.due_at for t in timers] == sorted(t.due_at for t in timers)
    pending = await store.outbox.fetch_pending(10)
    assert [p.event_id for p in pending] == [envelope.id]
    await store.outbox.mark_published(pending)
    assert await store.outbox.fetch_pending(10) == []


async def test_a_replayed_event_changes_nothing(store, rules):
    case = await saved(store, rules)
    again = replace(case, tier=3)
    assert not await store.timers.save_case(again, timers=[], events=[], event_id="e1")
    back = await store.timers.get_case("c1")
    assert back.version == 1 and back.tier == 1
    assert await store.timers.count_timers("scheduled") == len(case.timers(rules.calendar))


async def test_a_stale_writer_gets_a_concurrent_update(store, rules):
    case = await saved(store, rules)
    assert await store.timers.save_case(replace(case, tier=2), timers=[], events=[], event_id="e2")
    with pytest.raises(ConcurrentUpdate):
        await store.timers.save_case(replace(case, tier=3), timers=[], events=[], event_id="e3")
    with pytest.raises(ConcurrentUpdate):
        await store.timers.save_case(new_case(rules), timers=[], events=[], event_id="e4")
    assert (await store.timers.get_case("c1")).tier == 2


async def test_a_new_timer_set_cancels_the_rest_and_never_rearms_a_fired_timer(store, rules):
    case = await saved(store, rules)
    planned = case.timers(rules.calendar)
    first = planned[0]
    [claimed] = await store.timers.claim_due_timers(first.due_at, "a", 30, 1)
    assert claimed.timer_id == first.timer_id
    assert await store.timers.complete_timers([claimed], lease_owner="a", fired_at=first.due_at, events={}) == {
        claimed.timer_id}
    stopped = stop(case, at=first.due_at)
    assert await store.timers.save_case(stopped, timers=[], events=[], event_id="e2")
    statuses = {t.timer_id: t.status for t in await store.timers.timers_for_case("c1")}
    assert statuses[first.timer_id] is TimerStatus.FIRED
    assert all(s is TimerStatus.CANCELLED for tid, s in statuses.items() if tid != first.timer_id)
    reopened = await store.timers.get_case("c1")
    assert await store.timers.save_case(replace(reopened, status=ClockStatus.RUNNING), timers=planned,
                                        events=[], event_id="e3")
    statuses = {t.timer_id: t.status for t in await store.timers.timers_for_case("c1")}
    assert statuses[first.timer_id] is TimerStatus.FIRED
    assert all(s is TimerStatus.SCHEDULED for tid, s in statuses.items() if tid != first.timer_id)


async def test_claiming_takes_only_due_unleased_timers_earliest_first(store, rules):
    await saved(store, rules, "c1", "e1")
    await saved(store, rules, "c2", "e2")
    everything = sorted([*await store.timers.timers_for_case("c1"), *await store.timers.timers_for_case("c2")],
                        key=lambda t: t.due_at)
    now = everything[3].due_at
    due = [t for t in everything if t.due_at <= now]
    assert await store.timers.next_due_at() == everything[0].due_at
    first = await store.timers.claim_due_timers(now, "a", 60, 2)
    assert [t.due_at for t in first] == [t.due_at for t in due[:2]]
    assert all(t.lease_owner == "a" for t in first)
    rest = await store.timers.claim_due_timers(now, "b", 60, 100)
    assert {t.timer_id for t in rest} == {t.timer_id for t in due[2:]}
    assert await store.timers.claim_due_timers(now, "c", 60, 100) == []


async def test_an_expired_lease_is_taken_over_and_the_old_owner_cannot_fire(store, rules):
    case = await saved(store, rules)
    first = case.timers(rules.calendar)[0]
    now = first.due_at
    [by_a] = await store.timers.claim_due_timers(now, "a", 30, 1)
    later = now + timedelta(seconds=31)
    [by_b] = await store.timers.claim_due_timers(later, "b", 30, 1)
    assert by_b.timer_id == by_a.timer_id and by_b.lease_owner == "b"
    event = timer_event(by_b, now=later)
    assert await store.timers.complete_timers([by_a], lease_owner="a", fired_at=later,
                                              events={by_a.timer_id: [event]}) == set()
    assert await store.timers.complete_timers([by_b], lease_owner="b", fired_at=later,
                                              events={by_b.timer_id: [event]}) == {by_b.timer_id}
    assert await store.timers.complete_timers([by_b], lease_owner="b", fired_at=later,
                                              events={by_b.timer_id: [event]}) == set()
    assert [p.event_id for p in await store.outbox.fetch_pending(10)] == [event.id]
    reclaimed = await store.timers.claim_due_timers(later + timedelta(days=30), "c", 30, 100)
    assert by_b.timer_id not in {t.timer_id for t in reclaimed}
    fired = [t for t in await store.timers.timers_for_case("c1") if t.status is TimerStatus.FIRED]
    assert [t.timer_id for t in fired] == [first.timer_id]
    assert await store.timers.count_timers("fired") == 1


async def test_a_claim_completes_in_one_call_and_only_the_timers_still_leased_fire(store, rules):
    case = await saved(store, rules)
    planned = case.timers(rules.calendar)
    now = max(t.due_at for t in planned)
    claimed = await store.timers.claim_due_timers(now, "a", 30, 100)
    assert len(claimed) == len(planned)
    later = now + timedelta(seconds=31)
    [taken] = await store.timers.claim_due_timers(later, "b", 30, 1)  # a's lease on the earliest ran out
    events = {t.timer_id: [timer_event(t, now=later)] for t in claimed}
    fired = await store.timers.complete_timers(claimed, lease_owner="a", fired_at=later, events=events)
    assert fired == {t.timer_id for t in claimed} - {taken.timer_id}
    queued = {p.event_id for p in await store.outbox.fetch_pending(100)}
    assert queued == {events[tid][0].id for tid in fired}
    statuses = {t.timer_id: t.status for t in await store.timers.timers_for_case("c1")}
    assert statuses[taken.timer_id] is TimerStatus.SCHEDULED
    assert {tid for tid, s in statuses.items() if s is TimerStatus.FIRED} == fired


async def test_several_cases_are_read_at_once(store, rules):
    await saved(store, rules, "c1", "e1")
    await saved(store, rules, "c2", "e2")
    found = await store.timers.get_cases(["c2", "c1", "c1", "missing"])
    assert sorted(found) == ["c1", "c2"] and found["c2"].case_id == "c2" and found["c1"].version == 1
    assert await store.timers.get_cases([]) == {}
