"""Scheduled reminders from an imported register, on a fast clock: once ahead, again if nothing is recorded."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from notifier.adapters.asset_csv import parse_assets
from notifier.adapters.channels.webhook import WebhookChannel
from notifier.adapters.clock import Clock
from notifier.domain.directory import Community, Directory
from notifier.domain.notifications import Endpoint, QuietHours
from notifier.entrypoints.dispatcher import NotificationDispatcher
from notifier.entrypoints.scheduler import TimerScheduler
from notifier.handlers import Deps, import_assets, record_done
from notifier.metrics import NotifierMetrics
from notifier.notify import Delivery

LOG = logging.getLogger("test")
CSV = """asset_id,kind,title,community_id,last_done,unit_ids
EL-1,elevator_inspection,金湖花园1号楼电梯年检,qc-jh-jh,2024-04-30,u-grid
EL-2,elevator_inspection,金湖花园2号楼电梯年检,qc-jh-jh,2024-05-20,u-grid
"""


class FakeRealTime:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


async def reminders_in_outbox(store) -> list[dict]:
    bodies = [json.loads(i.body) for i in await store.outbox.fetch_pending(1000)]
    return [b for b in bodies if b["type"] == "reminder.due.v1"]


@pytest.mark.parametrize("kind", ["sqlite", "mongomock"])
async def test_elevator_inspections_are_reminded_ahead_and_again_unless_recorded(kind, store_opener, rules, receiver):
    store, _ = await store_opener(kind)
    real = FakeRealTime(datetime(2025, 3, 1, 0, 0, tzinfo=UTC))
    clock = Clock(speed=43_200, epoch=real.now, real_now=real)  # 30 days of reminders per real minute
    directory = Directory(endpoints={"u-grid": (Endpoint("webhook", f"{receiver.url}/grid"),),
                                     "u-sec": (Endpoint("webhook", f"{receiver.url}/sec"),)},
                          communities={"qc-jh-jh": Community("qc-jh-jh", secretary="u-sec")})
    async with httpx.AsyncClient() as http:
        delivery = Delivery(notifications=store.notifications, directory=directory, quiet=QuietHours(),
                            channels={"webhook": WebhookChannel(http, secret="k")})
        deps = Deps(timers=store.timers, rules=rules, clock=clock, metrics=NotifierMetrics(), delivery=delivery)
        scheduler = TimerScheduler(deps, owner="s", log=LOG)
        dispatcher = NotificationDispatcher(delivery, clock=clock, metrics=deps.metrics, owner="d", log=LOG)
        assert await import_assets(deps, parse_assets(CSV)) == 2
        assert await import_assets(deps, parse_assets(CSV)) == 2  # re-import: same timers, nothing doubled
        assert len(await store.timers.timers_for_case("asset:EL-1")) == 2

        real.now += timedelta(seconds=62)  # virtual 2025-04-01 ≈ 01:00 UTC: EL-1's month-ahead reminder is due
        assert clock.now() > datetime(2025, 3, 31, 1, 0, tzinfo=UTC)
        assert await scheduler.tick() == (1, 1)
        await record_done(deps, "EL-1", date(2025, 4, 20))  # inspected before its due date: no second reminder
        real.now += timedelta(seconds=40)  # virtual ≈ 2025-04-21: EL-2's month-ahead reminder (04-20) is due
        assert await scheduler.tick() == (1, 1)
        real.now += timedelta(seconds=60)  # virtual ≈ 2025-05-21: EL-2 past due with nothing recorded → again
        assert await scheduler.tick() == (1, 1)
        while await dispatcher.tick():
            pass
    due = [(r["data"]["asset_id"], r["data"]["due_date"][:10]) for r in await reminders_in_outbox(store)]
    assert sorted(due) == [("EL-1", "2025-04-30"), ("EL-2", "2025-05-20"), ("EL-2", "2025-05-20")]
    lift = await store.timers.get_asset("EL-1")
    assert lift.due == date(2026, 4, 20)
    statuses = sorted((t.due_at.date().isoformat(), str(t.status)) for t in await store.timers.timers_for_case("asset:EL-1"))
    assert statuses == [("2025-03-31", "fired"), ("2025-04-30", "cancelled"), ("2026-03-21", "scheduled"),
                        ("2026-04-20", "scheduled")]
    texts = [json.loads(r["body"])["text"] for r in receiver.requests]
    assert sorted(r["path"] for r in receiver.requests) == ["/grid"] * 3 + ["/sec"] * 3
    assert sum("尚无记录" in t for t in texts) == 2  # the second reminder says nothing was recorded
    await store.close()
