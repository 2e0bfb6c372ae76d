"""A department system as its own process: consumes whistles from department queues and times their arrival.

`python -m bench.dept_consumer --prefix P --out FILE` declares and binds each department's quorum queue
(as a department system does, docs/departments.md), writes FILE.ready once consuming, writes the number
of whistles received to FILE.progress every half second, and on SIGTERM writes
{"received": [[tracking_code, dept_code, wall time], …]} to FILE.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import time
from pathlib import Path

import aio_pika
import uvloop

from bench.payloads import DEPARTMENTS
from contracts.topology import Topology


async def declare(channel: aio_pika.abc.AbstractChannel, topology: Topology, dept: str) -> aio_pika.abc.AbstractQueue:
    """The department's durable quorum queue bound to its whistles, dead-lettering like the platform's."""
    name = topology.department_queue(dept)
    queue = await channel.declare_queue(name, durable=True, arguments=topology.queue_arguments(f"whistle.{dept}"))
    await queue.bind(topology.events_exchange, routing_key=f"whistle.{dept}.v1")
    return queue


def _write(path: Path, text: str) -> None:
    """A small local file (blocking for microseconds; the consumer has nothing else to do meanwhile)."""
    path.write_text(text, encoding="utf-8")


async def consume(url: str, prefix: str, out: Path, prefetch: int) -> None:
    """Consume until SIGTERM; acknowledge each whistle after noting when it arrived."""
    received: list[list[object]] = []
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        at = time.time()
        data = json.loads(message.body).get("data", {})
        received.append([data.get("tracking_code"), data.get("dept_code"), at])
        await message.ack()

    topology = Topology(prefix=prefix)
    connection = await aio_pika.connect_robust(url)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=prefetch)
        # The exchange may not exist yet when the services are still starting.
        await channel.declare_exchange(topology.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True)
        for dept in DEPARTMENTS:
            await (await declare(channel, topology, dept)).consume(on_message)
        _write(Path(f"{out}.ready"), "ready")
        while not stop.is_set():
            _write(Path(f"{out}.progress"), str(len(received)))
            try:
                await asyncio.wait_for(stop.wait(), timeout=0.5)
            except TimeoutError:
                pass
    _write(out, json.dumps({"received": received}, ensure_ascii=False))


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="amqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--prefetch", type=int, default=200)
    args = parser.parse_args()
    uvloop.run(consume(args.url, args.prefix, args.out, args.prefetch))


if __name__ == "__main__":
    main()
