"""The producer allow-list and the consumer's refusals: unreadable, misrouted, forged and failing events are
dead-lettered with their reason while the consumer keeps going (unit tests and the real RabbitMQ)."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import aio_pika
import pytest

from contracts.envelope import Envelope, new_event
from contracts.events.common import Place
from contracts.events.department import DeptCaseAccepted
from contracts.events.intake import RequestSubmitted
from contracts.topology import Topology
from servicekit.auth.sources import SourcePolicy
from servicekit.consumer import REASON_HEADER, refusal, subscribe_envelopes
from servicekit.runtime import BrokerRuntime

LOG = logging.getLogger("test")
NOW = datetime.now(UTC)


def submitted(n: int, source: str = "/whistle/intake") -> Envelope:
    data = RequestSubmitted(request_id=f"r{n}", tracking_code=f"WS-{n}", channel="api",
                            place=Place(community_id="c1"), text="楼道堵塞", submitted_at=NOW)
    return new_event(data, source=source, subject=f"r{n}")


def reply(dept: str, source: str) -> Envelope:
    return new_event(DeptCaseAccepted(case_id="c1", dept_code=dept, occurred_at=NOW), source=source, subject="c1")


@pytest.mark.parametrize(("envelope", "purpose", "reason"), [
    (submitted(1), "router.requests", None),
    (submitted(1, "/whistle/router"), "router.requests", "may not publish request.submitted.v1"),
    (submitted(1, "/departments/x"), "router.requests", "may not publish"),
    (reply("xiaofang", "/departments/xiaofang"), "router.departments", None),
    (reply("xiaofang", "/departments/chengguan"), "router.departments", "may not publish dept.case.accepted.v1"),
    (submitted(1), "router.departments", "does not belong on router.departments"),
])
def test_refusals_name_the_reason(envelope: Envelope, purpose: str, reason: str | None) -> None:
    found = refusal(envelope, SimpleNamespace(), Topology(), purpose, SourcePolicy())
    assert (found is None) if reason is None else (reason in (found or ""))


def test_a_type_no_pattern_covers_is_refused_and_overrides_replace_entries() -> None:
    policy = SourcePolicy({"request.*.v1": ("/whistle/intake",)})
    assert "no producer" in (policy.refusal("case.routed.v1", "/whistle/router", {}) or "")
    wider = policy.with_overrides({"request.*.v1": ["/whistle/intake", "/whistle/intake-b"]})
    assert wider.refusal("request.submitted.v1", "/whistle/intake-b", {}) is None
    assert policy.refusal("request.submitted.v1", "/whistle/intake-b", {}) is not None


def test_a_message_whose_routing_key_differs_from_its_type_is_refused() -> None:
    message = SimpleNamespace(raw_message=SimpleNamespace(exchange="whistle.events", routing_key="feedback.submitted.v1"))
    assert "does not match" in (refusal(submitted(1), message, Topology(), "router.requests", None) or "")


@pytest.mark.rabbitmq
async def test_bad_events_are_dead_lettered_with_the_reason_and_good_ones_still_arrive(rabbitmq_url: str) -> None:
    topo = Topology(prefix=f"t-{uuid.uuid4().hex[:8]}", delivery_limit=1)
    runtime = BrokerRuntime(rabbitmq_url, topo, log=LOG)
    seen: list[str] = []

    async def handle(env: Envelope) -> None:
        request_id = env.payload().request_id  # type: ignore[attr-defined]
        if request_id == "r-crash":
            raise RuntimeError("boom")
        seen.append(request_id)

    subscribe_envelopes(runtime.broker, topo, "router.requests", handle, log=LOG, sources=SourcePolicy())
    try:
        await runtime.start()
        publish = runtime.broker.publish
        await publish(b"{not json", exchange=topo.events_exchange, routing_key="request.submitted.v1")
        await publish(b'{"specversion": "1.0"}', exchange=topo.events_exchange, routing_key="request.submitted.v1")
        wrong_type = submitted(2).model_copy(update={"data": {**submitted(2).data, "text": 42}})
        await publish(wrong_type.model_dump_json().encode(), exchange=topo.events_exchange,
                      routing_key="request.submitted.v1")
        await publish(submitted(3).model_dump_json().encode(), exchange=topo.events_exchange,
                      routing_key="request.cancelled.v1")
        await runtime.publisher.publish(submitted(4, source="/whistle/router"))
        crash = submitted(5).model_copy(update={"data": {**submitted(5).data, "request_id": "r-crash"}})
        await runtime.publisher.publish(crash)
        await runtime.publisher.publish(submitted(6))
        dead = await drain_dead_letters(rabbitmq_url, topo, 6)
        assert seen == ["r6"]
    finally:
        await runtime.stop()
        await delete_topology(rabbitmq_url, topo)
    reasons = sorted(m.headers[REASON_HEADER] for m in dead)
    assert [r.split(":")[0].split(" ")[0] for r in reasons] == [
        "handler", "routing", "source", "unreadable", "unreadable", "unreadable"], reasons
    assert any("'/whistle/router' may not publish request.submitted.v1" in r for r in reasons)
    assert all(m.headers["x-whistle-queue"] == "router.requests" for m in dead)


async def drain_dead_letters(url: str, topo: Topology, wanted: int) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Wait until `wanted` messages sit in the dead-letter queue and take them."""
    found: list = []
    conn = await aio_pika.connect(url)
    async with conn:
        queue = await (await conn.channel()).declare_queue(topo.dead_letter_queue, passive=True)
        for _ in range(300):
            message = await queue.get(fail=False)
            if message is None:
                if len(found) >= wanted:
                    break
                await asyncio.sleep(0.05)
                continue
            await message.ack()
            found.append(message)
    assert len(found) == wanted, [json.loads(m.body or b"null") if m.body.startswith(b"{\"") else m.body
                                  for m in found]
    return found


async def delete_topology(url: str, topo: Topology) -> None:
    conn = await aio_pika.connect(url)
    async with conn:
        ch = await conn.channel()
        for purpose in topo.queues:
            await ch.queue_delete(topo.queue_name(purpose))
        await ch.queue_delete(topo.dead_letter_queue)
        await ch.exchange_delete(topo.events_exchange)
        await ch.exchange_delete(topo.dead_letter_exchange)
