"""Against the real RabbitMQ: the service consumes every event and the summary shows the cases."""

from __future__ import annotations

import asyncio
import logging
import uuid

import aio_pika
import httpx
import pytest

from contracts.topology import Topology
from reports.config import ReportsSettings
from reports.entrypoints.api import create_app
from servicekit.broker import EventPublisher, create_broker

pytestmark = pytest.mark.rabbitmq


async def delete_topology(url: str, topo: Topology) -> None:
    conn = await aio_pika.connect(url)
    async with conn:
        ch = await conn.channel()
        for purpose in topo.queues:
            await ch.queue_delete(topo.queue_name(purpose))
        await ch.queue_delete(topo.dead_letter_queue)
        await ch.exchange_delete(topo.events_exchange)
        await ch.exchange_delete(topo.dead_letter_exchange)


async def poll(client: httpx.AsyncClient, path: str, predicate, timeout: float = 20.0) -> dict:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        body = (await client.get(path)).json()
        if predicate(body):
            return body
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"condition not met in time; last answer {body}")
        await asyncio.sleep(0.1)


async def test_events_from_the_broker_reach_the_summary(tmp_path, rabbitmq_url, story):
    prefix = f"t-{uuid.uuid4().hex[:8]}"
    settings = ReportsSettings(rabbitmq_url=rabbitmq_url, amqp_prefix=prefix, data_dir=tmp_path,
                               mongodb_url=None, hotspots_enabled=False)
    app = create_app(settings)
    a, b = story("a"), story("b", community="qc-sl-sl", compound="qc-sl-sl-ms", grid="g-sl-sl-ms-1",
                             class_code="safety", category="fire")
    events = [a.routed(0), a.transition("accepted", 5), a.transition("resolved", 50), b.routed(3)]
    broker = create_broker(rabbitmq_url)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://reports") as client:
                assert (await client.get("/readyz")).json()["ready"] is True
                await broker.connect()
                publisher = EventPublisher(broker, settings.topology)
                for env in [*events, events[0], events[2]]:  # with redeliveries
                    await publisher.publish(env)
                body = await poll(client, "/v1/reports/summary", lambda s: s["totals"]["cases"] == 2
                                  and s["by_status"].get("resolved") == 1)
                assert body["by_status"] == {"resolved": 1, "routed": 1}
                assert body["by_class"] == {"矛盾纠纷": 1, "安全隐患": 1}
                assert {c["id"] for c in body["by_community"]} == {"qc-jh-jh", "qc-sl-sl"}
                assert body["by_community"][0]["name"] in {"金湖社区", "松林社区"}
                metrics = (await client.get("/metrics")).text
                assert 'reports_events_total{outcome="duplicate"' in metrics
    finally:
        await broker.stop()
        await delete_topology(rabbitmq_url, settings.topology)
        logging.getLogger("test").info("deleted %s", prefix)
