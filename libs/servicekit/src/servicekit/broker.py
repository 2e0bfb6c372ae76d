"""RabbitMQ through FastStream: the broker factory, topology declaration and confirmed publishing."""

from __future__ import annotations

import logging

import aio_pika
from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue

from contracts.envelope import Envelope
from contracts.registry import routing_key
from contracts.topology import Topology


def create_broker(url: str, *, logger: logging.Logger | None = None) -> RabbitBroker:
    """A broker with publisher confirms (FastStream's default channel) and a graceful stop.

    `apply_types=False`: every subscriber takes the message itself (servicekit.consumer) and validates the
    envelope with pydantic, so FastDepends' per-call argument model only cost CPU (~30 % per delivery).
    """
    return RabbitBroker(url, graceful_timeout=15.0, logger=logger, log_level=logging.DEBUG, apply_types=False)


def events_exchange(topology: Topology) -> RabbitExchange:
    """The durable topic exchange for platform events."""
    return RabbitExchange(topology.events_exchange, type=ExchangeType.TOPIC, durable=True)


def service_queue(topology: Topology, purpose: str) -> RabbitQueue:
    """A consuming service's durable quorum queue with delivery limit and dead-lettering."""
    return RabbitQueue(
        topology.queue_name(purpose), queue_type=QueueType.QUORUM, durable=True,
        arguments=topology.queue_arguments(purpose),  # type: ignore[arg-type]
    )


def department_queue(topology: Topology, dept_code: str) -> RabbitQueue:
    """A department system's own quorum queue; dead-letters like the platform's."""
    purpose = f"whistle.{dept_code}"
    return RabbitQueue(
        topology.department_queue(dept_code), queue_type=QueueType.QUORUM, durable=True,
        arguments=topology.queue_arguments(purpose),  # type: ignore[arg-type]
    )


async def declare_topology(url: str, topology: Topology, dept_codes: tuple[str, ...] = ()) -> None:
    """Declare exchanges, every service queue with its bindings, and the dead-letter queue.

    Every service declares the whole topology at start, so an event published before its consumer
    ever ran still has a queue to wait in. It does so on a short-lived connection of its own: FastStream
    caches the queue objects it declares, and a subscriber then consumes through the cached object on the
    channel that declared it, the broker's default channel, which has no prefetch limit (every delivery of
    a backlog was handed over at once, and held in memory).
    """
    connection = await aio_pika.connect(url, timeout=10)
    async with connection:
        channel = await connection.channel()
        exchange = await _exchange(channel, events_exchange(topology))
        dlx = await _exchange(channel, RabbitExchange(topology.dead_letter_exchange, type=ExchangeType.TOPIC,
                                                      durable=True))
        dlq = await _queue(channel, RabbitQueue(topology.dead_letter_queue, queue_type=QueueType.QUORUM, durable=True))
        await dlq.bind(dlx, routing_key="#")
        queues = [(service_queue(topology, purpose), keys) for purpose, keys in topology.queues.items()]
        queues += [(department_queue(topology, dept), (f"whistle.{dept}.v1",)) for dept in dept_codes]
        for spec, keys in queues:
            queue = await _queue(channel, spec)
            for key in keys:
                await queue.bind(exchange, routing_key=key)


async def _exchange(channel: aio_pika.abc.AbstractChannel, spec: RabbitExchange) -> aio_pika.abc.AbstractExchange:
    return await channel.declare_exchange(spec.name, type=spec.type.value, durable=spec.durable,
                                          auto_delete=spec.auto_delete, arguments=spec.arguments)


async def _queue(channel: aio_pika.abc.AbstractChannel, spec: RabbitQueue) -> aio_pika.abc.AbstractQueue:
    # The same name, flags and arguments FastStream declares for the subscriber, or the broker refuses one of them.
    return await channel.declare_queue(spec.name, durable=spec.durable, exclusive=spec.exclusive,
                                       auto_delete=spec.auto_delete, arguments=spec.arguments)


class EventPublisher:
    """Publishes envelopes persistently and waits for the broker's confirm."""

    def __init__(self, broker: RabbitBroker, topology: Topology) -> None:
        self._broker = broker
        self._exchange = events_exchange(topology)

    async def publish(self, envelope: Envelope) -> None:
        """Publish one event under its routing key; raises when the broker does not confirm."""
        await self.publish_raw(
            body=envelope.model_dump_json().encode(), key=routing_key(envelope), event_id=envelope.id)

    async def publish_raw(self, *, body: bytes, key: str, event_id: str) -> None:
        """Publish an already serialised envelope (from an outbox)."""
        await self._broker.publish(
            body, exchange=self._exchange, routing_key=key, persist=True, message_id=event_id,
            content_type="application/json", timeout=10.0,
        )
