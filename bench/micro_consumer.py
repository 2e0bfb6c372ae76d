"""The subscriber shape before the pass-through decoder, for `python -m bench.micro consumer`."""

from __future__ import annotations

import logging

from faststream import AckPolicy
from faststream.rabbit import RabbitBroker
from faststream.rabbit.annotations import RabbitMessage
from faststream.rabbit.schemas import Channel

from contracts.envelope import Envelope
from contracts.topology import Topology
from servicekit.broker import service_queue
from servicekit.consumer import EnvelopeHandler


def old_subscriber(broker: RabbitBroker, topology: Topology, purpose: str, handler: EnvelopeHandler, *,
                   prefetch: int = 50, log: logging.Logger) -> None:
    """FastStream decodes the JSON body; the message comes from the DI context (resolved in a worker thread)."""

    @broker.subscriber(service_queue(topology, purpose), ack_policy=AckPolicy.NACK_ON_ERROR,
                       channel=Channel(prefetch_count=prefetch))
    async def consume(message: RabbitMessage) -> None:
        envelope = Envelope.model_validate_json(message.body)
        envelope.payload()
        await handler(envelope)
