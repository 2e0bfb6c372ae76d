"""Messages a test publishes itself: poison (malformed, handler-crashing) and replays of events already seen."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import aio_pika

from contracts.topology import Topology
from faultkit.audit import TESTS, Seen


@dataclass(frozen=True)
class Poison:
    """A message that must end in the dead-letter queue: from which queues it must, and may, come."""

    message_id: str
    routing_key: str
    body: bytes
    required: frozenset[str] = frozenset()  # queues that must dead-letter it
    optional: frozenset[str] = frozenset()  # queues that may either apply it or dead-letter it
    crashes: bool = False  # readable, but a handler fails on it every time


def topic_match(pattern: str, key: str) -> bool:
    """AMQP topic matching: `*` is one word, `#` zero or more."""
    def match(p: list[str], k: list[str]) -> bool:
        if not p:
            return not k
        if p[0] == "#":
            return any(match(p[1:], k[i:]) for i in range(len(k) + 1))
        return bool(k) and p[0] in ("*", k[0]) and match(p[1:], k[1:])
    return match(pattern.split("."), key.split("."))


def bound_queues(topology: Topology, key: str) -> frozenset[str]:
    """The service queues a message with this routing key lands in."""
    return frozenset(topology.queue_name(purpose) for purpose, patterns in topology.queues.items()
                     if any(topic_match(p, key) for p in patterns))


def poison_set(prefix: str) -> list[Poison]:
    """Three malformed messages, which every queue they reach must dead-letter, and one that crashes a handler.

    The crashing one is a well-formed `case.routed.v1` for a made-up case, dated 9999-12-31 23:30 UTC:
    the notifier's deadline arithmetic overflows on it at every delivery, so only the delivery limit
    stops the retries. Intake and reports may apply it or dead-letter it.
    """
    topology = Topology(prefix=prefix)
    now = datetime.now(UTC).isoformat()
    malformed = [
        ("request.submitted.v1", b"\xe8\xbf\x99\xe4\xb8\x8d\xe6\x98\xaf JSON {"),
        ("case.routed.v1", _envelope("case.routed.v1", {"case_id": "C-poison"}, now)),
        ("request.submitted.v1", _envelope("request.exploded.v1", {"request_id": "r-poison"}, now)),
    ]
    poisons = [Poison(_poison_id(), key, body, required=bound_queues(topology, key)) for key, body in malformed]
    crash_id, far = _poison_id(), "9999-12-31T23:30:00+00:00"
    crash = _envelope("case.routed.v1", {
        "case_id": crash_id.upper().replace("-", ""), "request_ids": [crash_id], "place": {"community_id": "qc-jh-jh"},
        "category": {"class_code": "safety", "sub_category": "fire"}, "classified_by": "rule", "tier": 1,
        "units": [], "sla_policy": "standard", "routed_at": far, "submitted_at": far}, now,
        event_id=crash_id, source="/whistle/router")
    notifier = frozenset({topology.queue_name("notifier.cases")})
    poisons.append(Poison(crash_id, "case.routed.v1", crash, required=notifier,
                          optional=bound_queues(topology, "case.routed.v1") - notifier, crashes=True))
    return poisons


def _poison_id() -> str:
    return f"poison-{uuid.uuid4().hex[:12]}"


def _envelope(event_type: str, data: dict[str, object], now: str, *, event_id: str | None = None,
              source: str = TESTS) -> bytes:
    return json.dumps({"specversion": "1.0", "id": event_id or str(uuid.uuid4()), "source": source,
                       "type": event_type, "time": now, "data": data}, ensure_ascii=False).encode()


async def publish(url: str, prefix: str, messages: list[tuple[str, bytes, str]]) -> None:
    """Publish (routing key, body, message id) persistently with confirms on `<prefix>.events`."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(f"{prefix}.events")
        await asyncio.gather(*(exchange.publish(
            aio_pika.Message(body, message_id=message_id, content_type="application/json",
                             delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=key)
            for key, body, message_id in messages))


async def replay(url: str, prefix: str, events: list[Seen]) -> int:
    """Publish each event a second time, byte for byte, under its original routing key."""
    batch = [(s.routing_key, s.body, str(s.envelope["id"])) for s in events]
    for start in range(0, len(batch), 500):
        await publish(url, prefix, batch[start:start + 500])
    return len(batch)


async def read_dead_letters(url: str, queue: str) -> list[tuple[str, str, str]]:
    """Take every message out of the dead-letter queue: (message id, source queue, reason)."""
    found: list[tuple[str, str, str]] = []
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        dlq = await channel.declare_queue(queue, passive=True)
        while (message := await dlq.get(fail=False, no_ack=False)) is not None:
            headers = message.headers or {}
            deaths = headers.get("x-death") or [{}]
            first = deaths[0] if isinstance(deaths, list | tuple) and deaths else {}
            source = headers.get("x-first-death-queue") or first.get("queue") or message.routing_key or ""
            reason = (headers.get("x-whistle-dead-letter-reason") or headers.get("x-first-death-reason")
                      or first.get("reason") or "unknown")
            found.append((str(message.message_id), _text(source), _text(reason)))
            await message.ack()
    return found


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")
