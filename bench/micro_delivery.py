"""CPU per delivery with aio-pika alone and through FastStream: `python -m bench.micro_delivery`.

4,000 envelopes are queued on a quorum queue of the service topology, then consumed with prefetch 50 and a
handler that does nothing after the envelope is validated: once with aio-pika's own consumer (validate, ack),
once through `servicekit.consumer.subscribe_envelopes` on `create_broker` (FastStream) with the default
source policy, as the services consume. Quoted in
docs/performance.md; twice each, alternated.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

import aio_pika
import uvloop

from bench.micro import URL, event
from bench.platform import delete_prefix
from contracts.envelope import Envelope
from contracts.topology import Topology
from servicekit.auth.sources import SourcePolicy
from servicekit.broker import create_broker
from servicekit.consumer import subscribe_envelopes

N, PREFETCH, PURPOSE = 4000, 50, "router.requests"
LOG = logging.getLogger("bench.micro_delivery")


async def queued(topology: Topology) -> str:
    """Declare the queue and put N envelopes on it; its name."""
    name = topology.queue_name(PURPOSE)
    connection = await aio_pika.connect(URL)
    async with connection:
        channel = await connection.channel()
        await channel.declare_queue(name, durable=True, arguments=topology.queue_arguments(PURPOSE))
        for i in range(N):
            await channel.default_exchange.publish(
                aio_pika.Message(event(i).model_dump_json().encode(), content_type="application/json"), name)
    return name


async def with_aio_pika(topology: Topology) -> float:
    """µs of CPU per delivery consuming with aio-pika."""
    name = await queued(topology)
    connection = await aio_pika.connect(URL)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=PREFETCH)
    queue = await channel.get_queue(name)
    seen, done = [0], asyncio.Event()

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        Envelope.model_validate_json(message.body).payload()
        await message.ack()
        seen[0] += 1
        if seen[0] >= N:
            done.set()

    start = time.process_time()
    await queue.consume(on_message)
    await done.wait()
    cpu = time.process_time() - start
    await connection.close()
    await delete_prefix(topology.prefix)
    return cpu / N * 1e6


async def with_faststream(topology: Topology) -> float:
    """µs of CPU per delivery through subscribe_envelopes."""
    await queued(topology)
    broker = create_broker(URL, logger=LOG)
    seen, done = [0], asyncio.Event()

    async def handle(envelope: Envelope) -> None:
        seen[0] += 1
        if seen[0] >= N:
            done.set()

    subscribe_envelopes(broker, topology, PURPOSE, handle, prefetch=PREFETCH, log=LOG, sources=SourcePolicy())
    await broker.connect()
    start = time.process_time()
    await broker.start()
    await done.wait()
    cpu = time.process_time() - start
    await broker.stop()
    await delete_prefix(topology.prefix)
    return cpu / N * 1e6


async def main_async() -> None:
    """Both ways, twice."""
    for _ in range(2):
        for label, way in (("aio-pika", with_aio_pika), ("FastStream subscribe_envelopes", with_faststream)):
            micros = await way(Topology(prefix=f"micro-{uuid.uuid4().hex[:6]}"))
            print(f"{label:<32} {micros:6.0f} µs CPU per delivery", flush=True)


def main() -> None:
    """CLI entry point."""
    uvloop.run(main_async())


if __name__ == "__main__":
    main()
