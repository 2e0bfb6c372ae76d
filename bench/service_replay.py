"""Reports and notifier alone, as real processes on the real broker, fed the events of whistled requests at a rate.

`python -m bench.service_replay --rate 200 --seconds 20` publishes, for each request, what intake and the
router would (request.submitted, case.routed, whistle.issued; the notifier adds sla.scheduled itself) at
an open-loop rate, waits until both services' queues are empty, and prints each service's CPU per 1,000
requests (from /proc, the whole window, consumer and outbox relay included), its peak resident memory,
and how long the queues took to drain after the last publish. Without intake and router in the way it
shows what these two services cost per request and whether they keep up.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import aio_pika

from bench.platform import RABBITMQ_URL, platform, prefix_of
from bench.procfs import Watch
from bench.profile import show
from bench.queues import listed
from contracts.envelope import Envelope, new_event
from contracts.events.cases import CaseRouted, WhistleIssued
from contracts.events.common import CategoryRef, Place, UnitRef
from contracts.events.intake import RequestSubmitted
from contracts.registry import routing_key
from contracts.topology import Topology

SERVICES = ("notifier", "reports")
PURPOSES = ("notifier.cases", "reports.events")
GRIDS = (("qc-jh", "qc-jh-jh", "qc-jh-jh-hy", "g-jh-jh-hy-1", "u-g-jh-jh-hy-1"),
         ("qc-jh", "qc-jh-xh", "qc-jh-xh-xy", "g-jh-xh-xy-1", "u-g-jh-xh-xy-1"))
TEXT = "楼道里有人用飞线给电动车充电，消防通道也堆满了纸箱"


def request_events(n: int, at: datetime) -> list[Envelope]:
    """What intake and the router publish for one whistled request."""
    street, community, compound, grid, unit = GRIDS[n % len(GRIDS)]
    place = Place(district_id="qc", street_id=street, community_id=community, compound_id=compound, grid_id=grid,
                  building=str(n % 9 + 1))
    category = CategoryRef(class_code="safety", sub_category="fire")
    submitted = RequestSubmitted(request_id=f"r{n}", tracking_code=f"WS-{n}", channel="qr_h5", place=place,
                                 text=TEXT, submitted_at=at)
    routed = CaseRouted(case_id=f"c{n}", request_ids=[f"r{n}"], place=place, category=category, classified_by="rule",
                        tier=3, units=[UnitRef(unit_id=unit, kind="grid_worker", name="网格员")],
                        departments=["xiaofang"], sla_policy="safety", text=TEXT, submitted_at=at, routed_at=at)
    whistle = WhistleIssued(case_id=f"c{n}", dept_code="xiaofang", dept_name="消防救援", category=category,
                            place=place, summary=TEXT, tier=3, issued_at=at)
    return [new_event(submitted, source="/whistle/intake", subject=f"r{n}", now=at),
            new_event(routed, source="/whistle/router", subject=f"c{n}", now=at),
            new_event(whistle, source="/whistle/router", subject=f"c{n}", now=at)]


async def publish(prefix: str, rate: float, seconds: float) -> int:
    """Open loop: request i's events leave at start + i/rate; returns how many requests were sent."""
    total = int(rate * seconds)
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(prefix=prefix).events_exchange)
        start = time.monotonic()
        pending: set[asyncio.Task[object]] = set()
        for i in range(total):
            await asyncio.sleep(max(start + i / rate - time.monotonic(), 0))
            for env in request_events(i, datetime.now(UTC)):
                message = aio_pika.Message(env.model_dump_json().encode(), message_id=env.id,
                                           content_type="application/json",
                                           delivery_mode=aio_pika.DeliveryMode.PERSISTENT)
                task = asyncio.create_task(exchange.publish(message, routing_key=routing_key(env)))
                pending.add(task)
                task.add_done_callback(pending.discard)
        await asyncio.gather(*pending)
    return total


def backlog(prefix: str) -> int:
    """Messages ready or unacknowledged in the two services' queues."""
    names = {Topology(prefix=prefix).queue_name(p) for p in PURPOSES}
    return sum(n for name, n in (listed(prefix) or {}).items() if name in names)


def run(rate: float, seconds: float, drain_s: float, profile: str | None = None) -> dict[str, object]:
    """Start both services, publish, wait for the queues to empty, measure (and py-spy one service meanwhile)."""
    with tempfile.TemporaryDirectory() as tmp, platform("replay", Path(tmp) / "data", SERVICES) as running:
        prefix = prefix_of(running)
        time.sleep(2)  # let the first hot-issue pass and the relays settle
        spy = None
        if profile:
            spy = subprocess.Popen(["py-spy", "record", "--pid", str(running.procs[profile].pid), "--duration",
                                    str(int(seconds)), "--format", "raw", "--output", str(Path(tmp) / "stacks"),
                                    "--nonblocking", "--gil"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with Watch({s: running.procs[s].pid for s in SERVICES}) as watch:
            sent = asyncio.run(publish(prefix, rate, seconds))
            if spy is not None:
                spy.wait()
                show(Path(tmp) / "stacks", 40)
            published = time.monotonic()
            quiet = 0
            while time.monotonic() - published < drain_s and quiet < 2:
                quiet = quiet + 1 if backlog(prefix) == 0 else 0
                time.sleep(0.5)
            drained = round(time.monotonic() - published, 1) if quiet >= 2 else None
            time.sleep(1.0)  # the outbox relays publish what the last events caused
    return {"rate": rate, "seconds": seconds, "requests": sent, "drained_after_s": drained,
            "cpu_s_per_1k": {s: round(watch.cpu_used[s] / sent * 1000, 2) for s in SERVICES},
            "rss_peak_mb": {s: round(watch.peak_mb[s], 1) for s in SERVICES}}


def main() -> None:
    """CLI entry point: prints the figures as JSON."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--drain", type=float, default=120, help="longest wait for the queues to empty")
    parser.add_argument("--profile", choices=SERVICES, help="py-spy --gil this service while publishing")
    args = parser.parse_args()
    print(json.dumps(run(args.rate, args.seconds, args.drain, args.profile), ensure_ascii=False))


if __name__ == "__main__":
    main()
