"""Delivery over each store: retries with backoff, the dead-letter record, quiet hours, who hears of what."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from contracts.envelope import new_event
from contracts.events.cases import CaseResolved, WhistleIssued
from contracts.events.common import CategoryRef, Place
from contracts.events.reports import HotspotDetected
from notifier.adapters.channels.webhook import WebhookChannel
from notifier.adapters.clock import ManualClock
from notifier.domain.directory import Community, Directory
from notifier.domain.messages import Message
from notifier.domain.notifications import Audience, Endpoint, QuietHours
from notifier.entrypoints.dispatcher import NotificationDispatcher
from notifier.entrypoints.scheduler import TimerScheduler
from notifier.handlers import Deps, handle_case_event
from notifier.metrics import NotifierMetrics
from notifier.notify import Delivery, plan

LOG = logging.getLogger("test")
MON_10 = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)  # Monday 10:00 Shanghai
STORES = ["sqlite", "mongomock"]


async def outbox_types(store) -> list[str]:
    return [json.loads(i.body)["type"] for i in await store.outbox.fetch_pending(1000)]


def setup(store, receiver, http, *, clock, max_attempts=5, directory=None):
    delivery = Delivery(notifications=store.notifications, channels={"webhook": WebhookChannel(http, secret="k")},
                        directory=directory or Directory(), quiet=QuietHours(), max_attempts=max_attempts)
    metrics = NotifierMetrics()
    dispatcher = NotificationDispatcher(delivery, clock=clock, metrics=metrics, owner="d1", log=LOG)
    return delivery, metrics, dispatcher


def to_hook(receiver, cause: str, *, now, audience=Audience.STAFF, urgent=False, path="/hook"):
    return plan(cause=cause, case_id="c1", audience=audience, recipients=[("u1", Endpoint("webhook", receiver.url + path))],
                message=Message("t", "标题", "内容"), now=now, quiet=QuietHours(), urgent=urgent)


@pytest.mark.parametrize("kind", STORES)
async def test_a_failing_receiver_is_retried_with_backoff_until_it_answers(kind, store_opener, receiver):
    store, _ = await store_opener(kind)
    clock = ManualClock(MON_10)
    receiver.script = [(500, "down"), (503, "busy"), (200, "{}")]
    async with httpx.AsyncClient() as http:
        delivery, metrics, dispatcher = setup(store, receiver, http, clock=clock)
        [n] = to_hook(receiver, "e1", now=MON_10)
        assert await store.notifications.add([n]) == 1
        assert await store.notifications.add([n]) == 0
        assert [str(s) for s in await dispatcher.tick()] == ["pending"]
        assert await dispatcher.tick() == []  # not before the backoff
        clock.advance(timedelta(seconds=30))
        assert [str(s) for s in await dispatcher.tick()] == ["pending"]
        clock.advance(timedelta(seconds=59))
        assert await dispatcher.tick() == []
        clock.advance(timedelta(seconds=1))
        assert [str(s) for s in await dispatcher.tick()] == ["sent"]
    [record] = await store.notifications.for_case("c1")
    assert record.status == "sent" and record.attempts == 3 and record.sent_at == clock.now()
    assert len(receiver.requests) == 3
    assert {r["headers"]["Idempotency-Key"] for r in receiver.requests} == {n.notification_id}
    assert await outbox_types(store) == ["notification.sent.v1"]
    await store.close()


@pytest.mark.parametrize("kind", STORES)
async def test_one_that_keeps_failing_goes_to_the_dead_letter_record_and_blocks_nobody(kind, store_opener, receiver):
    store, _ = await store_opener(kind)
    clock = ManualClock(MON_10)
    receiver.script = [(500, "x")] * 10
    async with httpx.AsyncClient() as http:
        delivery, metrics, dispatcher = setup(store, receiver, http, clock=clock, max_attempts=3)
        await store.notifications.add(to_hook(receiver, "bad", now=MON_10, path="/bad"))
        for _ in range(3):
            await dispatcher.tick()
            clock.advance(timedelta(hours=1))
        receiver.script = []
        await store.notifications.add(to_hook(receiver, "good", now=clock.now(), path="/good"))
        await dispatcher.tick()
    statuses = sorted((n.status, n.attempts) for n in await store.notifications.for_case("c1"))
    assert [(str(s), a) for s, a in statuses] == [("dead", 3), ("sent", 1)]
    assert await store.notifications.count("dead") == 1
    assert metrics.dead_letters.labels("webhook")._value.get() == 1
    assert sorted(await outbox_types(store)) == ["notification.failed.v1", "notification.sent.v1"]
    await store.close()


def test_residents_are_not_disturbed_between_22_and_7_except_for_urgent_safety_notices():
    quiet = QuietHours()
    at_23 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)  # 23:00 Shanghai
    morning = datetime(2025, 3, 3, 23, 0, tzinfo=UTC)  # 07:00 next day
    assert quiet.next_allowed(at_23, audience=Audience.RESIDENT, urgent=False) == morning
    assert quiet.next_allowed(at_23 + timedelta(hours=5), audience=Audience.RESIDENT, urgent=False) == morning
    assert quiet.next_allowed(at_23, audience=Audience.RESIDENT, urgent=True) == at_23
    assert quiet.next_allowed(at_23, audience=Audience.STAFF, urgent=False) == at_23
    assert quiet.next_allowed(morning, audience=Audience.RESIDENT, urgent=False) == morning
    day = datetime(2025, 3, 3, 6, 0, tzinfo=UTC)  # 14:00
    assert quiet.next_allowed(day, audience=Audience.RESIDENT, urgent=False) == day


async def test_a_resident_notice_at_night_waits_for_the_morning(store_opener, receiver):
    store, _ = await store_opener("sqlite")
    at_23 = datetime(2025, 3, 3, 15, 0, tzinfo=UTC)
    clock = ManualClock(at_23)
    async with httpx.AsyncClient() as http:
        _, _, dispatcher = setup(store, receiver, http, clock=clock)
        await store.notifications.add(to_hook(receiver, "night", now=at_23, audience=Audience.RESIDENT))
        await store.notifications.add(to_hook(receiver, "gas", now=at_23, audience=Audience.RESIDENT, urgent=True))
        assert len(await dispatcher.tick()) == 1  # only the urgent one
        clock.set(datetime(2025, 3, 3, 22, 59, tzinfo=UTC))
        assert await dispatcher.tick() == []
        clock.set(datetime(2025, 3, 3, 23, 0, tzinfo=UTC))
        assert len(await dispatcher.tick()) == 1
    await store.close()


@pytest.mark.parametrize("kind", STORES)
async def test_whistles_hot_issues_deadlines_and_status_reach_the_right_people(kind, store_opener, receiver, rules,
                                                                               events):
    store, _ = await store_opener(kind)
    clock = ManualClock(MON_10)
    hook = lambda name: (Endpoint("webhook", f"{receiver.url}/{name}"),)  # noqa: E731
    directory = Directory(
        endpoints={"u1": hook("grid"), "u-sec": hook("secretary"), "u-cadre": hook("cadre")},
        departments={"housing": hook("housing")},
        communities={"qc-jh-jh": Community("qc-jh-jh", secretary="u-sec", staff=("u-cadre",))})
    async with httpx.AsyncClient() as http:
        delivery, metrics, dispatcher = setup(store, receiver, http, clock=clock, directory=directory)
        deps = Deps(timers=store.timers, rules=rules, clock=clock, metrics=metrics, delivery=delivery)
        await handle_case_event(deps, events.routed("c1", at=MON_10))
        whistle = WhistleIssued(case_id="c1", dept_code="housing", dept_name="区住建委", category=CategoryRef(
            class_code="dispute", sub_category="leak"), place=Place(community_id="qc-jh-jh"), summary="楼上漏水",
            tier=3, issued_at=MON_10)
        await handle_case_event(deps, new_event(whistle, source="/t", subject="c1", now=MON_10))
        hot = HotspotDetected(hotspot_id="h1", place="金湖花园", community_id="qc-jh-jh", terms=["漏水"],
                              request_ids=["r1", "r2", "r3"], score=3.0, window_start=MON_10, window_end=MON_10,
                              detected_at=MON_10)
        await handle_case_event(deps, new_event(hot, source="/t", subject=None, now=MON_10))
        await store.notifications.subscribe("c1", Endpoint("webhook", f"{receiver.url}/resident"), ref="WS-1")
        clock.set(MON_10 + timedelta(minutes=31))
        scheduler = TimerScheduler(deps, owner="s", log=LOG)
        await scheduler.tick()
        await handle_case_event(deps, events.transition(CaseResolved, "c1", at=clock.now()))
        while await dispatcher.tick():
            pass
    paths = sorted(r["path"] for r in receiver.requests)
    assert paths == ["/cadre", "/grid", "/grid", "/housing", "/resident", "/secretary", "/secretary"]
    resident = next(json.loads(r["body"]) for r in receiver.requests if r["path"] == "/resident")
    assert resident["template"] == "case.return_visit" and "WS-1" in resident["text"]
    breach = [json.loads(r["body"]) for r in receiver.requests if r["path"] == "/secretary"]
    assert {b["template"] for b in breach} == {"sla.breached", "hotspot.detected"}
    await store.close()


async def test_the_unit_on_duty_tonight_gets_what_arrives_tonight(store_opener, receiver, rules, events):
    from notifier.domain.roster import DutyRoster, Rota

    store, _ = await store_opener("sqlite")
    night = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)  # Monday 20:00 Shanghai
    clock = ManualClock(night)
    directory = Directory(endpoints={"u-duty": (Endpoint("webhook", f"{receiver.url}/duty"),),
                                     "u1": (Endpoint("webhook", f"{receiver.url}/grid"),)})
    roster = DutyRoster(calendar=rules.calendar, communities={"qc-jh-jh": Rota(weekdays={0: "u-duty"})})
    async with httpx.AsyncClient() as http:
        delivery, metrics, dispatcher = setup(store, receiver, http, clock=clock, directory=directory)
        delivery.roster = roster
        deps = Deps(timers=store.timers, rules=rules, clock=clock, metrics=metrics, delivery=delivery)
        await handle_case_event(deps, events.routed("c1", at=night))
        clock.set(night + timedelta(minutes=16))  # the 50 % warning of the 30-minute leak response
        await TimerScheduler(deps, owner="s", log=LOG).tick()
        while await dispatcher.tick():
            pass
    got = sorted((r["path"], json.loads(r["body"])["template"]) for r in receiver.requests)
    assert got == [("/duty", "duty.arrival"), ("/duty", "sla.warning"), ("/grid", "sla.warning")]
    arrival = next(json.loads(r["body"]) for r in receiver.requests if json.loads(r["body"])["template"] == "duty.arrival")
    assert "20:30" in arrival["text"]  # answer due 30 minutes after arrival, Shanghai time
    await store.close()
