"""Subscribing a handler of envelopes to a service queue with an explicit acknowledgement policy."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.exceptions import RejectMessage
from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange
from faststream.rabbit.annotations import RabbitMessage
from faststream.rabbit.schemas import Channel
from pydantic import ValidationError

from contracts.envelope import Envelope
from contracts.registry import UnknownEventType, routing_key
from contracts.topology import Topology
from servicekit.auth.sources import SourcePolicy, topic_matches
from servicekit.broker import service_queue

EnvelopeHandler = Callable[[Envelope], Awaitable[None]]
REASON_HEADER = "x-whistle-dead-letter-reason"


def refusal(envelope: Envelope, message: Any, topology: Topology, purpose: str,
            sources: SourcePolicy | None) -> str | None:
    """Why a readable envelope must not be applied on this queue, or None.

    Its type must belong on the queue, match the routing key it travelled under (when it came through
    the events exchange), and come from a source allowed to publish it.
    """
    key = routing_key(envelope)
    bindings = topology.queues.get(purpose, ())
    if bindings and not any(topic_matches(b, key) for b in bindings):
        return f"event type {envelope.type} does not belong on {purpose}"
    raw = getattr(message, "raw_message", None)
    arrived_under = getattr(raw, "routing_key", key)
    if getattr(raw, "exchange", None) == topology.events_exchange and arrived_under != key:
        return f"routing key {arrived_under!r} does not match event type {envelope.type}"
    if sources is not None:
        return sources.refusal(envelope.type, envelope.source, envelope.data)
    return None


async def dead_letter(broker: RabbitBroker, topology: Topology, purpose: str, message: Any, reason: str,
                      log: logging.Logger) -> None:
    """Publish the message to the dead-letter exchange with the reason in a header, or reject it when that fails."""
    log.error("dead-lettering message", extra={"queue": purpose, "message_id": message.message_id,
                                               "reason": reason[:500]})
    headers = {**(message.headers or {}), REASON_HEADER: reason[:1000], "x-whistle-queue": purpose}
    try:
        await broker.publish(
            message.body, exchange=RabbitExchange(topology.dead_letter_exchange, type=ExchangeType.TOPIC,
                                                  durable=True),
            routing_key=topology.queue_name(purpose), persist=True, headers=headers,
            message_id=message.message_id, content_type=message.content_type or "application/json", timeout=10.0)
    except Exception as exc:
        raise RejectMessage() from exc


def subscribe_envelopes(
    broker: RabbitBroker,
    topology: Topology,
    purpose: str,
    handler: EnvelopeHandler,
    *,
    prefetch: int = 50,
    log: logging.Logger,
    sources: SourcePolicy | None = None,
) -> None:
    """Consume `purpose`'s queue; ack after the handler's write, dead-letter what cannot be applied.

    Policy: a malformed envelope, an unknown type, a type that does not belong on this queue or a
    producer not allowed to send it (`sources`) goes to the dead-letter queue at once, with the reason in
    the `x-whistle-dead-letter-reason` header; a handler error nacks with requeue, and on the last
    delivery the quorum queue allows it is dead-lettered with the error as reason.
    """

    @broker.subscriber(
        service_queue(topology, purpose),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        channel=Channel(prefetch_count=prefetch),
        decoder=_undecoded,
    )
    async def consume(message: Any) -> None:  # the RabbitMessage itself, handed over by `_undecoded`
        try:
            envelope = Envelope.model_validate_json(message.body)
            envelope.payload()
        except (ValidationError, UnknownEventType, ValueError) as exc:
            await dead_letter(broker, topology, purpose, message, f"unreadable envelope: {exc}", log)
            return
        reason = refusal(envelope, message, topology, purpose, sources)
        if reason is not None:
            await dead_letter(broker, topology, purpose, message, reason, log)
            return
        try:
            await handler(envelope)
        except Exception as exc:
            if _last_delivery(message, topology):
                await dead_letter(broker, topology, purpose, message, f"handler failed: {exc!r}", log)
                return
            raise


async def _undecoded(message: RabbitMessage) -> RabbitMessage:
    """FastStream's decoder hook returning the message itself.

    The default decoder parses the JSON body only for the handler to parse it again as an Envelope, and
    injecting the message through `Context` makes fast-depends resolve it in a worker thread per message;
    together about 130 µs of CPU per delivery (docs/performance.md).
    """
    return message


def _last_delivery(message: Any, topology: Topology) -> bool:
    count = (message.headers or {}).get("x-delivery-count", 0)
    return isinstance(count, int) and count >= topology.delivery_limit
