"""End to end: requests submitted over HTTP are routed, timed, whistled to departments and reported."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import aio_pika
import httpx
import pytest
from e2e_support import EventWatcher, eventually
from processes import Platform

pytestmark = [pytest.mark.e2e, pytest.mark.rabbitmq]

REQUESTS = [
    {"compound_id": "qc-jh-jh-hy", "text": "3号楼502卫生间漏水，楼下天花板一直滴水", "location": {"building": "3"}},
    {"compound_id": "qc-jh-jh-ly", "text": "隔壁装修每天早上七点就开始电钻，周末也不停", "location": {"building": "2"}},
    {"compound_id": "qc-jh-xh-xy", "text": "想咨询灵活就业人员怎么办理医保参保，需要哪些材料", "location": {"building": "1"}},
    {"compound_id": "qc-sl-sl-ms", "text": "5号楼和6号楼之间下水道堵塞，污水冒到路面", "location": {"building": "5"}},
    {"compound_id": "qc-sl-dq-dq", "text": "1号楼门前井盖缺了一块，晚上容易踩空", "location": {"building": "1"}},
    {"compound_id": "qc-wj-bh-hw", "text": "B座一楼棋牌室每天打麻将到凌晨，吵得睡不着", "location": {"building": "B"}},
]
FIRE = {"compound_id": "qc-sl-sl-hj", "location": {"building": "3"},
        "text": "3号楼楼道堆满纸箱杂物，消防通道被堵死，还有人在楼道给电动车充电，火灾隐患严重",
        "contact": {"name": "吴女士", "phone": "13300007007"}}


def rabbit_url() -> str:
    return os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")


async def test_requests_over_http_are_routed_timed_and_counted_by_reports(running_platform: Platform):
    p = running_platform
    exchange = f"{p.env['WHISTLE_AMQP_PREFIX']}.events"
    async with EventWatcher(rabbit_url(), exchange) as watcher, httpx.AsyncClient(timeout=10) as client:
        before = (await client.get(f"{p.url('reports')}/v1/reports/summary")).json()["totals"]["cases"]
        ids = []
        for body in REQUESTS:
            response = await client.post(f"{p.url('intake')}/v1/requests", json=body)
            assert response.status_code == 201, response.text
            assert response.json()["tracking_code"].startswith("WS-")
            ids.append(response.json()["id"])

        routed = await eventually(lambda: _routed_for(watcher, ids), within=60)
        case_ids = [case["case_id"] for case in routed]
        assert all(case["tier"] in (1, 2, 3, 4) and case["units"] for case in routed)
        assert {case["category"]["class_code"] for case in routed} >= {"dispute", "livelihood"}

        async def timers_exist() -> bool:
            for case_id in case_ids:
                got = await client.get(f"{p.url('notifier')}/v1/timers", params={"case_id": case_id})
                if got.status_code != 200 or not got.json():
                    return False
            return True

        await eventually(timers_exist, within=60)
        scheduled = {e["case_id"] for e in watcher.of_type("sla.scheduled.v1")}
        assert set(case_ids) <= scheduled

        async def reported() -> dict | None:
            summary = (await client.get(f"{p.url('reports')}/v1/reports/summary")).json()
            return summary if summary["totals"]["cases"] >= before + len(case_ids) else None

        summary = await eventually(reported, within=60)
        assert summary["totals"]["cases"] == before + len(case_ids)


async def _routed_for(watcher: EventWatcher, request_ids: list[str]) -> list[dict] | None:
    cases = [c for c in watcher.of_type("case.routed.v1") if set(c["request_ids"]) & set(request_ids)]
    covered = {rid for c in cases for rid in c["request_ids"]}
    return cases if covered >= set(request_ids) else None


async def test_a_department_system_receives_its_whistle_and_its_reply_is_applied(running_platform: Platform):
    p = running_platform
    prefix = p.env["WHISTLE_AMQP_PREFIX"]
    connection = await aio_pika.connect_robust(rabbit_url())
    async with connection, httpx.AsyncClient(timeout=10) as client:
        channel = await connection.channel()
        queue = await channel.declare_queue(
            f"{prefix}.whistle.xiaofang", durable=True,
            arguments={"x-queue-type": "quorum", "x-delivery-limit": 5, "x-dead-letter-exchange": f"{prefix}.dlx",
                       "x-dead-letter-routing-key": f"{prefix}.whistle.xiaofang"})
        await queue.bind(f"{prefix}.events", routing_key="whistle.xiaofang.v1")
        response = await client.post(f"{p.url('intake')}/v1/requests", json=FIRE)
        assert response.status_code == 201, response.text

        async def whistle() -> aio_pika.abc.AbstractIncomingMessage | None:
            return await queue.get(fail=False)

        message = await eventually(whistle, within=60)
        event = json.loads(message.body)
        await message.ack()
        assert event["type"] == "whistle.issued.v1"
        data = event["data"]
        assert data["dept_code"] == "xiaofang"
        assert "消防通道" in data["summary"]
        without_contact = {k: v for k, v in data.items() if k != "contact"}
        assert "13300007007" not in json.dumps(without_contact), "the phone may travel only in `contact`"

        reply = {
            "specversion": "1.0", "id": f"dept-{data['case_id']}-accepted", "source": "/departments/xiaofang",
            "type": "dept.case.accepted.v1", "time": datetime.now(UTC).isoformat(), "subject": data["case_id"],
            "data": {"case_id": data["case_id"], "dept_code": "xiaofang", "note": "已派员到场核查",
                     "occurred_at": datetime.now(UTC).isoformat()},
        }
        exchange = await channel.get_exchange(f"{prefix}.events")
        await exchange.publish(aio_pika.Message(json.dumps(reply).encode(), content_type="application/json",
                                                delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                               routing_key="dept.case.accepted.v1")

        async def accepted() -> bool:
            got = await client.get(f"{p.url('router')}/v1/cases/{data['case_id']}")
            return got.status_code == 200 and got.json().get("status") in ("accepted", "in_progress")

        await eventually(accepted, within=60)
