"""The timer scheduler over each store: two replicas never fire a timer twice, a restart loses nothing."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime, timedelta

import pytest

from notifier.adapters.clock import Clock, ManualClock
from notifier.entrypoints.scheduler import TimerScheduler
from notifier.handlers import Deps, handle_case_event
from notifier.metrics import NotifierMetrics

LOG = logging.getLogger("test")
MON_10 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def deps_for(store, rules, clock) -> Deps:
    return Deps(timers=store.timers, rules=rules, clock=clock, metrics=NotifierMetrics())


async def route_cases(deps, events, n: int) -> int:
    for i in range(n):
        assert await handle_case_event(deps, events.routed(f"c{i}", at=MON_10)) == "applied"
    return sum([len(await deps.timers.timers_for_case(f"c{i}")) for i in range(n)])


async def fired_events(store) -> list[dict]:
    items = await store.outbox.fetch_pending(10_000)
    bodies = [json.loads(i.body) for i in items]
    return [b for b in bodies if b["type"] in ("sla.warning.v1", "sla.breached.v1")]


@pytest.mark.parametrize("kind", ["sqlite", "mongomock", "mongodb"])
async def test_two_replicas_sharing_one_store_fire_every_timer_exactly_once(kind, store_opener, rules, events):
    shared: dict = {}
    store_a, cleanup = await store_opener(kind, shared)
    store_b, _ = await store_opener(kind, shared)
    clock = ManualClock(MON_10)
    a = TimerScheduler(deps_for(store_a, rules, clock), owner="replica-a", batch=7, log=LOG)
    b = TimerScheduler(deps_for(store_b, rules, clock), owner="replica-b", batch=7, log=LOG)
    try:
        total = await route_cases(a.deps, events, 15)
        clock.set(MON_10 + timedelta(days=60))  # every deadline has passed

        async def drain(s: TimerScheduler) -> None:
            claimed = -1
            while claimed:
                claimed, _ = await s.tick()
                await asyncio.sleep(0)  # let the other replica claim between two batches

        await asyncio.gather(drain(a), drain(b))
        fired = await fired_events(store_a)
        timer_ids = [e["subject"] + e["data"]["deadline"] + str(e["data"].get("fraction", 1.0)) for e in fired]
        assert a.fired + b.fired == total == len(fired) == len(set(timer_ids))
        assert a.fired > 0 and b.fired > 0  # both replicas really shared the work (batches interleave)
        assert len({e["id"] for e in fired}) == total
        assert await store_a.timers.count_timers("fired") == total
        assert await store_a.timers.count_timers("scheduled") == 0
    finally:
        await cleanup()  # type: ignore[misc]
        await store_b.close()
        await store_a.close()


@pytest.mark.parametrize("kind", ["sqlite", "mongomock"])
async def test_a_replica_that_dies_holding_leases_loses_nothing(kind, store_opener, rules, events):
    shared: dict = {}
    store, _ = await store_opener(kind, shared)
    clock = ManualClock(MON_10)
    deps = deps_for(store, rules, clock)
    total = await route_cases(deps, events, 5)
    clock.set(MON_10 + timedelta(minutes=20))  # the 50 % response warnings are due
    claimed = await store.timers.claim_due_timers(clock.now(), "dead-replica", 60, 100)
    assert len(claimed) == 5
    await store.close()  # the replica dies without firing

    store2, _ = await store_opener(kind, shared)
    survivor = TimerScheduler(deps_for(store2, rules, clock), owner="survivor", lease_s=60, log=LOG)
    try:
        assert await survivor.tick() == (0, 0)  # the dead replica's leases still hold
        clock.advance(timedelta(seconds=61))
        assert await survivor.tick() == (5, 5)
        clock.set(MON_10 + timedelta(days=60))  # down for weeks: everything that became due fires on restart
        while (await survivor.tick())[0]:
            pass
        assert survivor.fired == total
        assert await store2.timers.count_timers("scheduled") == 0
    finally:
        await store2.close()


async def test_resolved_cases_fire_nothing_and_escalation_moves_the_timers(store_opener, rules, events):
    from contracts.events.cases import CaseEscalated, CaseResolved

    store, _ = await store_opener("sqlite")
    clock = ManualClock(MON_10)
    deps = deps_for(store, rules, clock)
    scheduler = TimerScheduler(deps, owner="one", log=LOG)
    try:
        await route_cases(deps, events, 2)
        await handle_case_event(deps, events.transition(CaseResolved, "c0", at=MON_10 + timedelta(minutes=1)))
        later = MON_10 + timedelta(minutes=2)
        await handle_case_event(deps, events.transition(CaseEscalated, "c1", at=later, tier=3, from_tier=1))
        clock.set(MON_10 + timedelta(minutes=31))  # the original leak response deadline has passed
        while (await scheduler.tick())[0]:
            pass
        fired = await fired_events(store)
        assert [e["subject"] for e in fired] == []  # c0 resolved; c1's deadlines moved by the escalation
        clock.set(later + timedelta(hours=24, seconds=1))
        while (await scheduler.tick())[0]:
            pass
        breaches = [e for e in await fired_events(store) if e["type"] == "sla.breached.v1"]
        assert [(e["subject"], e["data"]["deadline"], e["data"]["tier"]) for e in breaches] == [("c1", "response", 3)]
    finally:
        await store.close()


async def test_the_fast_clock_runs_a_day_per_real_minute(rules):
    real = [datetime(2025, 3, 3, 2, 0, tzinfo=UTC)]
    clock = Clock(speed=1440, epoch=real[0], real_now=lambda: real[0])
    real[0] += timedelta(seconds=60)
    assert clock.now() == datetime(2025, 3, 4, 2, 0, tzinfo=UTC)
    assert clock.virtual(real[0] - timedelta(seconds=30)) == datetime(2025, 3, 3, 14, 0, tzinfo=UTC)
    assert clock.real_seconds(timedelta(minutes=30)) == pytest.approx(1.25)


async def test_a_stored_case_wakes_the_sleeping_scheduler_only_when_its_timers_fall_due_sooner(
        store_opener, rules, events):
    store, _ = await store_opener("sqlite")
    clock = ManualClock(MON_10)
    deps = deps_for(store, rules, clock)
    scheduler = TimerScheduler(deps, owner="one", poll_s=3600, log=LOG)
    deps.wake_timers = scheduler.wake_for
    claims: list[object] = []
    claim = store.timers.claim_due_timers

    async def counted(*args, **kwargs):
        claims.append(args[0])
        return await claim(*args, **kwargs)

    store.timers.claim_due_timers = counted

    async def settle(n: int) -> None:
        for _ in range(100):
            if len(claims) >= n:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.1)

    scheduler.start()
    try:
        await settle(1)  # nothing stored: it looks again in an hour
        assert await handle_case_event(deps, events.routed("c1", at=MON_10)) == "applied"
        await settle(2)  # c1's first warning is due in 15 minutes, before the hour is up: woken
        assert len(claims) == 2
        later = MON_10 + timedelta(minutes=1)
        assert await handle_case_event(deps, events.routed("c2", at=later)) == "applied"
        await settle(3)  # c2's timers fall due after the look already planned for c1's: left asleep
        assert len(claims) == 2
    finally:
        await scheduler.stop()
        await store.close()
