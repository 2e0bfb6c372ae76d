"""The resident's timeline follows case events from the broker; feedback, cancel and Idempotency-Key."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import aio_pika
import pytest

from contracts.envelope import Envelope, new_event
from contracts.events.cases import CaseAccepted, CaseReopened, CaseResolved, CaseRouted
from contracts.events.common import Actor, CategoryRef, Place, UnitRef
from contracts.events.sla import SlaScheduled

pytestmark = pytest.mark.rabbitmq

BODY = {"compound_id": "qc-sl-dq-dq", "text": "楼上卫生间漏水，我家天花板一直在滴水。", "location": {"building": "4"}}

def now():
    return datetime.now(UTC)


async def publish(settings, rabbitmq_url, *payloads):
    conn = await aio_pika.connect(rabbitmq_url)
    async with conn:
        ch = await conn.channel()
        exchange = await ch.get_exchange(settings.topology.events_exchange)
        for data in payloads:
            source = "/whistle/notifier" if getattr(data, "event_type", "").startswith("sla.") else "/whistle/router"
            env = data if isinstance(data, Envelope) else new_event(
                data, source=source, subject=getattr(data, "case_id", None))
            await exchange.publish(aio_pika.Message(env.model_dump_json().encode(), message_id=env.id),
                                   routing_key=env.type)


async def wait_view(client, created, predicate, timeout=15.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        view = (await client.get(f"/v1/requests/{created['id']}",
                                 headers={"X-Access-Token": created["access_token"]})).json()
        if predicate(view):
            return view
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timeline never matched: {view}")
        await asyncio.sleep(0.05)


def transition(cls, case_id, status, **extra):
    return cls(case_id=case_id, community_id="qc-sl-dq", from_status="x", status=status, tier=1,
               actor=Actor(kind="department", id="fangguan"), occurred_at=now(), **extra)


def routed(created, case_id):
    return CaseRouted(case_id=case_id, request_ids=[created["id"]], place=Place(community_id="qc-sl-dq"),
                      category=CategoryRef(class_code="dispute", sub_category="leak"), classified_by="rule", tier=1,
                      units=[UnitRef(unit_id="u-sl-dq-dq-pm", kind="property", name="东桥物业管理站")],
                      sla_policy="dispute", routed_at=now())


async def test_case_events_drive_the_plain_chinese_timeline_and_feedback_reopens(app_client, settings, rabbitmq_url):
    client, _ = app_client
    created = (await client.post("/v1/requests", json=BODY)).json()
    case_id = "case-leak-1"
    due = now() + timedelta(days=3)
    await publish(settings, rabbitmq_url, routed(created, case_id),
                  SlaScheduled(case_id=case_id, community_id="qc-sl-dq", tier=1, sla_policy="dispute",
                               resolution_due=due, scheduled_at=now()),
                  transition(CaseAccepted, case_id, "accepted"))
    view = await wait_view(client, created, lambda v: v["status"] == "in_progress" and v["deadline"])
    assert view["unit_name"] == "东桥物业管理站"
    assert [t["label"] for t in view["timeline"]] == ["已受理", "已分派", "办理时限已确定", "处理中"]
    assert datetime.fromisoformat(view["deadline"]) == due
    early = await client.post(f"/v1/requests/{created['id']}/feedback", json={"satisfied": True},
                              headers={"X-Access-Token": created["access_token"]})
    assert early.status_code == 409 and early.json()["detail"][0]["message"] == "诉求办结后才能评价"

    resolved = new_event(transition(CaseResolved, case_id, "resolved", resolution="已联系楼上住户更换防水层"),
                         source="/whistle/router", subject=case_id)
    await publish(settings, rabbitmq_url, resolved, resolved)  # a redelivery is applied once
    view = await wait_view(client, created, lambda v: v["status"] == "resolved")
    assert view["can_rate"] and not view["can_cancel"]
    assert [t["label"] for t in view["timeline"]].count("已办结") == 1

    conn = await aio_pika.connect(rabbitmq_url)
    async with conn:
        ch = await conn.channel()
        queue = await ch.declare_queue(exclusive=True)
        await queue.bind(await ch.get_exchange(settings.topology.events_exchange), routing_key="feedback.*.v1")
        res = await client.post(f"/v1/requests/{created['id']}/feedback",
                                json={"satisfied": False, "comment": "还在滴水"},
                                headers={"X-Access-Token": created["access_token"]})
        assert res.status_code == 200, res.text
        message = None
        for _ in range(200):
            message = await queue.get(fail=False)
            if message is not None:
                break
            await asyncio.sleep(0.05)
    assert message is not None, "no feedback event published"
    data = json.loads(message.body)["data"]
    assert (data["satisfied"], data["case_id"], data["comment"]) == (False, case_id, "还在滴水")
    again = await client.post(f"/v1/requests/{created['id']}/feedback", json={"satisfied": True},
                              headers={"X-Access-Token": created["access_token"]})
    assert again.status_code == 409

    await publish(settings, rabbitmq_url, transition(CaseReopened, case_id, "reopened"))
    view = await wait_view(client, created, lambda v: v["status"] == "in_progress" and v["feedback"] is None)
    assert view["timeline"][-1]["label"] == "重新办理"


async def test_cancel_before_resolution_publishes_and_then_refuses(app_client, settings, rabbitmq_url):
    client, _ = app_client
    created = (await client.post("/v1/requests", json=BODY)).json()
    url = f"/v1/requests/{created['id']}/cancel"
    assert (await client.post(url, json={"reason": "已自行解决"})).status_code == 403
    res = await client.post(url, json={"reason": "已自行解决"}, headers={"X-Access-Token": created["access_token"]})
    assert res.status_code == 200
    assert res.json()["status"] == "cancelled" and res.json()["status_label"] == "已撤销"
    res = await client.post(url, headers={"X-Access-Token": created["access_token"]})
    assert res.status_code == 409


async def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(app_client):
    client, app = app_client
    headers = {"Idempotency-Key": "form-7f3a"}
    first = await client.post("/v1/requests", json=BODY, headers=headers)
    second = await client.post("/v1/requests", json=BODY, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    other = await client.post("/v1/requests", json={**BODY, "text": "另一件事"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["detail"][0]["field"] == "Idempotency-Key"
    assert await app.state.container.repo.count() == 1
    assert await app.state.container.repo.outbox.pending_count() <= 1
