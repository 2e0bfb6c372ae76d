"""The resident API against the real RabbitMQ: submit, store, publish through the outbox, read back."""

from __future__ import annotations

import asyncio
import json
import re

import aio_pika
import pytest
from cryptography.fernet import Fernet

from intake.config import DEV_CONTACT_KEY

pytestmark = pytest.mark.rabbitmq

GOOD = {
    "compound_id": "qc-jh-jh-hy",
    "text": "3号楼楼道里堆满了纸箱和旧家具，消防通道被堵住了，希望尽快清理。",
    "title": "楼道堆物堵塞消防通道",
    "location": {"building": "3", "unit": "2", "room": "502"},
    "contact": {"name": "王芳", "phone": "13812341234", "preferred_time": "晚上七点后"},
    "category": {"class_code": "safety", "sub_category": "fire"},
    "channel": "qr_h5",
}


async def probe_queue(settings, rabbitmq_url):
    """A temporary queue bound to request.submitted.v1 on the test's exchange."""
    conn = await aio_pika.connect(rabbitmq_url)
    ch = await conn.channel()
    exchange = await ch.get_exchange(settings.topology.events_exchange)
    queue = await ch.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, routing_key="request.submitted.v1")
    return conn, queue


async def next_message(queue, timeout=15.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        msg = await queue.get(fail=False)
        if msg is not None:
            await msg.ack()
            return json.loads(msg.body)
        await asyncio.sleep(0.05)
    raise AssertionError("no event arrived")


async def test_a_submitted_request_is_stored_answered_and_published_with_the_contact_sealed(
        app_client, settings, rabbitmq_url):
    client, app = app_client
    conn, queue = await probe_queue(settings, rabbitmq_url)
    async with conn:
        res = await client.post("/v1/requests", json=GOOD)
        assert res.status_code == 201, res.text
        body = res.json()
        assert re.fullmatch(r"WS-\d{8}-000001", body["tracking_code"])
        assert len(body["access_token"]) >= 20
        envelope = await next_message(queue)
    assert envelope["type"] == "request.submitted.v1"
    data = envelope["data"]
    assert data["request_id"] == body["id"]
    assert data["tracking_code"] == body["tracking_code"]
    assert data["place"]["community_id"] == "qc-jh-jh"
    assert data["place"]["street_id"] == "qc-jh"
    assert data["place"]["district_id"] == "qc"
    assert data["place"]["grid_id"] == "g-jh-jh-hy-1"
    assert data["category_hint"] == {"class_code": "safety", "sub_category": "fire", "domain": None}
    assert "13812341234" not in json.dumps(envelope, ensure_ascii=False)
    contact = json.loads(Fernet(DEV_CONTACT_KEY.encode()).decrypt(data["contact_sealed"].encode()))
    assert contact == {"name": "王芳", "phone": "13812341234", "preferred_time": "晚上七点后"}


async def test_the_phone_is_not_stored_in_clear(app_client, settings):
    client, _ = app_client
    res = await client.post("/v1/requests", json=GOOD)
    assert res.status_code == 201
    raw = settings.sqlite_path().read_bytes() + (settings.data_dir / "intake.sqlite3-wal").read_bytes()
    assert "王芳".encode() not in raw
    assert b"13812341234" not in raw
    assert b"138****1234" in raw


async def test_tracking_codes_count_up_within_the_day(app_client):
    client, _ = app_client
    codes = [(await client.post("/v1/requests", json=GOOD)).json()["tracking_code"] for _ in range(3)]
    assert [c[-6:] for c in codes] == ["000001", "000002", "000003"]
    assert len({c[:11] for c in codes}) == 1


async def test_the_resident_reads_the_request_with_the_token_only(app_client):
    client, _ = app_client
    created = (await client.post("/v1/requests", json=GOOD)).json()
    url = f"/v1/requests/{created['id']}"
    assert (await client.get(url)).status_code == 403
    assert (await client.get(url, headers={"X-Access-Token": "forged"})).status_code == 403
    res = await client.get(url, headers={"X-Access-Token": created["access_token"]})
    assert res.status_code == 200
    view = res.json()
    assert view["status"] == "submitted" and view["status_label"] == "已受理"
    assert view["timeline"][0]["label"] == "已受理"
    assert view["timeline"][0]["at"].endswith("+08:00")
    assert view["contact"] == {"name": "王*", "phone": "138****1234"}
    assert view["compound_name"] == "金湖花园"
    assert view["category"]["sub_category_name"] == "消防"
    by_query = await client.get(url, params={"token": created["access_token"]})
    assert by_query.status_code == 200
    assert (await client.get("/v1/requests/nope", headers={"X-Access-Token": "x"})).status_code == 404


async def test_health_readiness_and_metrics(app_client):
    client, _ = app_client
    assert (await client.get("/healthz")).json()["status"] == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"broker": True, "store": True}
    await client.post("/v1/requests", json=GOOD)
    metrics = (await client.get("/metrics")).text
    assert 'intake_requests_submitted_total{channel="qr_h5"} 1.0' in metrics
