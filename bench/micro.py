"""Micro-benchmarks behind docs/performance.md: `python -m bench.micro relay|consumer|classifier`.

relay      5,000 outbox events through the current OutboxRelay and through the old one-confirm-at-a-time loop.
consumer   4,000 deliveries through `subscribe_envelopes` (no-op handler) and through the old subscriber
           shape (FastStream's JSON decoder, FastDepends on, the RabbitMessage taken from the DI context).
classifier the default community model: `predict([text])` against the proposed single-text path.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from contracts.envelope import Envelope, new_event
from contracts.events.common import Place
from contracts.events.intake import RequestSubmitted
from contracts.topology import Topology
from servicekit.outbox import OutboxRelay
from servicekit.runtime import BrokerRuntime

URL = "amqp://guest:guest@127.0.0.1:5672/"
LOG = logging.getLogger("bench.micro")


def event(n: int) -> Envelope:
    """A request.submitted.v1 of about 1 KB."""
    text = "楼道里堆满纸箱，消防通道被堵死，晚上根本走不过去。" * 4
    data = RequestSubmitted(request_id=f"r{n}", tracking_code=f"WS-{n}", channel="api",
                            place=Place(community_id="c1"), text=text, submitted_at=datetime.now(UTC))
    return new_event(data, source="/whistle/intake", subject=f"r{n}")


class SequentialRelay(OutboxRelay):
    """The relay as it was: each publish awaits its confirm before the next starts."""

    async def drain_once(self) -> int:
        items = await self._store.fetch_pending(self._batch)
        done = []
        try:
            for item in items:
                await self._publisher.publish_raw(body=item.body, key=item.routing_key, event_id=item.event_id)
                done.append(item)
        finally:
            if done:
                await self._store.mark_published(done)
        return len(done)


async def _cleanup(topology: Topology) -> None:
    from bench.platform import delete_prefix

    await delete_prefix(topology.prefix)


async def relay(kind: type[OutboxRelay], n: int = 5000) -> str:
    """Events per second and CPU per event of one relay class."""
    from servicekit.storage.sqlite import SqliteDatabase
    from servicekit.storage.sqlite_outbox import OUTBOX_SCHEMA, SqliteOutbox, add_to_outbox

    topology = Topology(prefix=f"bench-micro-{uuid.uuid4().hex[:6]}")
    runtime = BrokerRuntime(URL, topology, log=LOG)
    await runtime.start()
    db = SqliteDatabase(Path(tempfile.mkdtemp()) / "outbox.sqlite3")
    await db.open(OUTBOX_SCHEMA)
    async with db.transaction() as conn:
        await add_to_outbox(conn, [event(i) for i in range(n)])
    worker = kind(SqliteOutbox(db), runtime.publisher, log=LOG)
    wall, cpu = time.perf_counter(), time.process_time()
    while await worker.drain_once():
        pass
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    await runtime.stop()
    await db.close()
    await _cleanup(topology)
    return f"{kind.__name__}: {n / wall:,.0f} events/s, {cpu / n * 1e6:.0f} µs CPU per event"


async def consumer(old: bool, n: int = 4000) -> str:
    """Deliveries per second and CPU per delivery of the subscriber shape."""
    from bench.micro_consumer import old_subscriber
    from servicekit.consumer import subscribe_envelopes

    topology = Topology(prefix=f"bench-micro-{uuid.uuid4().hex[:6]}")
    sender = BrokerRuntime(URL, topology, log=LOG)
    await sender.start()
    events = [event(i) for i in range(n)]
    for start in range(0, n, 200):
        await asyncio.gather(*(sender.publisher.publish(e) for e in events[start:start + 200]))
    await sender.stop()
    runtime, seen, all_in = BrokerRuntime(URL, topology, log=LOG), [0], asyncio.Event()
    if old:  # the services' broker now runs without FastDepends (apply_types=False); the old shape needs it
        from faststream.rabbit import RabbitBroker

        runtime.broker = RabbitBroker(URL, logger=LOG, log_level=logging.DEBUG)

    async def handle(envelope: Envelope) -> None:
        seen[0] += 1
        if seen[0] >= n:
            all_in.set()

    subscribe = old_subscriber if old else subscribe_envelopes
    subscribe(runtime.broker, topology, "router.requests", handle, log=LOG)
    wall, cpu = time.perf_counter(), time.process_time()
    await runtime.start()
    await all_in.wait()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    await runtime.stop()
    await _cleanup(topology)
    return f"{'old' if old else 'current'} subscriber: {n / wall:,.0f}/s, {cpu / n * 1e6:.0f} µs CPU per delivery"


def main() -> None:
    """Run the named micro-benchmark twice, alternating the variants."""
    what = sys.argv[1] if len(sys.argv) > 1 else "relay"
    if what == "classifier":
        from bench.micro_classifier import compare

        print(compare())
        return
    for _ in range(2):
        if what == "relay":
            for kind in (SequentialRelay, OutboxRelay):
                print(asyncio.run(relay(kind)))
        else:
            for old in (True, False):
                print(asyncio.run(consumer(old)))


if __name__ == "__main__":
    main()
