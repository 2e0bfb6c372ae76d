"""Against the real RabbitMQ: the outbox relay publishes with confirms; poison goes to the dead-letter queue."""

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime

import aio_pika
import pytest

from contracts.envelope import Envelope, new_event
from contracts.events.common import Place
from contracts.events.intake import RequestSubmitted
from contracts.topology import Topology
from servicekit.consumer import subscribe_envelopes
from servicekit.runtime import BrokerRuntime
from servicekit.storage.sqlite import SqliteDatabase
from servicekit.storage.sqlite_outbox import OUTBOX_SCHEMA, SqliteOutbox, add_to_outbox

pytestmark = pytest.mark.rabbitmq
LOG = logging.getLogger("test")


def event(n: int) -> Envelope:
    data = RequestSubmitted(request_id=f"r{n}", tracking_code=f"WS-{n}", channel="api",
                            place=Place(community_id="c1"), text="楼道堵塞", submitted_at=datetime.now(UTC))
    return new_event(data, source="/test", subject=f"r{n}")


async def wait_for(predicate, timeout=15.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def delete_topology(url: str, topo: Topology) -> None:
    conn = await aio_pika.connect(url)
    async with conn:
        ch = await conn.channel()
        for purpose in topo.queues:
            await ch.queue_delete(topo.queue_name(purpose))
        await ch.queue_delete(topo.dead_letter_queue)
        await ch.exchange_delete(topo.events_exchange)
        await ch.exchange_delete(topo.dead_letter_exchange)


async def test_outbox_events_reach_the_consumer_once_each(tmp_path, rabbitmq_url):
    topo = Topology(prefix=f"t-{uuid.uuid4().hex[:8]}", delivery_limit=2)
    db = SqliteDatabase(tmp_path / "svc.sqlite3")
    await db.open(OUTBOX_SCHEMA)
    runtime = BrokerRuntime(rabbitmq_url, topo, log=LOG)
    outbox = SqliteOutbox(db)
    relay = runtime.attach_outbox(outbox, poll_s=0.1)
    seen: list[str] = []

    async def handle(env: Envelope) -> None:
        seen.append(env.payload().request_id)  # type: ignore[attr-defined]

    subscribe_envelopes(runtime.broker, topo, "router.requests", handle, log=LOG)
    watcher = await aio_pika.connect(rabbitmq_url)
    try:
        await runtime.start()
        raw = await (await watcher.channel()).declare_queue(exclusive=True)
        await raw.bind(topo.events_exchange, routing_key="#")
        async with db.transaction() as conn:
            await add_to_outbox(conn, [event(i) for i in range(20)])
        relay.wake()
        await wait_for(lambda: len(seen) == 20)
        # The relay keeps outbox order on the broker; the consumer may run handlers for a burst concurrently.
        assert sorted(seen, key=lambda r: int(r[1:])) == [f"r{i}" for i in range(20)]
        on_broker = [(await raw.get(timeout=5)) for _ in range(20)]
        assert [json.loads(m.body)["data"]["request_id"] for m in on_broker] == [f"r{i}" for i in range(20)]
        assert await outbox.pending_count() == 0
    finally:
        await watcher.close()
        await runtime.stop()
        await db.close()
        await delete_topology(rabbitmq_url, topo)


async def test_poison_and_failing_messages_end_in_the_dead_letter_queue(rabbitmq_url):
    topo = Topology(prefix=f"t-{uuid.uuid4().hex[:8]}", delivery_limit=2)
    runtime = BrokerRuntime(rabbitmq_url, topo, log=LOG)
    attempts: dict[str, int] = {}

    async def handle(env: Envelope) -> None:
        rid = env.payload().request_id  # type: ignore[attr-defined]
        attempts[rid] = attempts.get(rid, 0) + 1
        if rid == "r-bad":
            raise RuntimeError("handler crashes on this one")

    subscribe_envelopes(runtime.broker, topo, "router.requests", handle, log=LOG)
    try:
        await runtime.start()
        await runtime.broker.publish(b"{not json", exchange=topo.events_exchange,
                                     routing_key="request.submitted.v1", persist=True)
        bad = event(0).model_copy(update={"data": {**event(0).data, "request_id": "r-bad"}})
        await runtime.publisher.publish(bad)
        await runtime.publisher.publish(event(1))
        await wait_for(lambda: attempts.get("r1") == 1 and attempts.get("r-bad", 0) >= 3)
        conn = await aio_pika.connect(rabbitmq_url)
        async with conn:
            ch = await conn.channel()
            dlq = await ch.declare_queue(topo.dead_letter_queue, passive=True)
            bodies: list[bytes] = []

            async def count_dead() -> bool:
                msg = await dlq.get(fail=False)
                if msg is not None:
                    bodies.append(msg.body)
                    await msg.ack()
                return len(bodies) >= 2

            for _ in range(100):
                if await count_dead():
                    break
                await asyncio.sleep(0.1)
        assert b"{not json" in bodies
        assert any(b"r-bad" in b for b in bodies)
        assert attempts["r-bad"] == 3  # first delivery + delivery limit of 2 redeliveries
    finally:
        await runtime.stop()
        await delete_topology(rabbitmq_url, topo)


async def test_a_consumer_holds_at_most_its_prefetch_of_unacknowledged_deliveries(rabbitmq_url):
    topo = Topology(prefix=f"t-{uuid.uuid4().hex[:8]}")
    sender = BrokerRuntime(rabbitmq_url, topo, log=LOG)
    await sender.start()
    await asyncio.gather(*(sender.publisher.publish(event(i)) for i in range(120)))
    await sender.stop()
    runtime = BrokerRuntime(rabbitmq_url, topo, log=LOG)
    started, release = [0], asyncio.Event()

    async def handle(env: Envelope) -> None:
        started[0] += 1
        await release.wait()

    subscribe_envelopes(runtime.broker, topo, "router.requests", handle, prefetch=7, log=LOG)
    try:
        await runtime.start()
        await wait_for(lambda: started[0] >= 7)
        await asyncio.sleep(1.0)  # a channel without a limit would hand over all 120 by now
        assert started[0] == 7
        release.set()
        await wait_for(lambda: started[0] == 120)
    finally:
        release.set()
        await runtime.stop()
        await delete_topology(rabbitmq_url, topo)
