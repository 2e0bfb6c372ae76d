"""Subscribing a handler of envelopes to a service queue with an explicit acknowledgement policy."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from faststream import AckPolicy
from faststream.exceptions import RejectMessage
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from faststream.rabbit.schemas import Channel
from pydantic import ValidationError

from contracts.envelope import Envelope
from contracts.registry import UnknownEventType
from contracts.topology import Topology
from servicekit.broker import service_queue

EnvelopeHandler = Callable[[Envelope], Awaitable[None]]


def subscribe_envelopes(
    broker: RabbitBroker,
    topology: Topology,
    purpose: str,
    handler: EnvelopeHandler,
    *,
    prefetch: int = 50,
    log: logging.Logger,
) -> None:
    """Consume `purpose`'s queue; ack after the handler's write, dead-letter what cannot be read.

    Policy: a malformed envelope or an unknown type is rejected at once (no requeue), so it goes
    straight to the dead-letter queue; any other error nacks with requeue and the quorum queue's
    delivery limit dead-letters it after the last attempt.
    """

    @broker.subscriber(
        service_queue(topology, purpose),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        channel=Channel(prefetch_count=prefetch),
    )
    async def consume(message: RabbitMessage) -> None:
        try:
            envelope = Envelope.model_validate_json(message.body)
            envelope.payload()
        except (ValidationError, UnknownEventType, ValueError) as exc:
            log.error("dead-lettering unreadable message", extra={
                "queue": purpose, "message_id": message.message_id, "reason": str(exc)[:500]})
            raise RejectMessage() from exc
        await handler(envelope)
