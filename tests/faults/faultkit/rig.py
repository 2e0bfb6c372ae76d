"""One platform under a unique prefix on a RabbitMQ node, optionally with a TCP proxy per service."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika
import httpx
from cryptography.fernet import Fernet
from processes import SERVICES

from contracts.topology import Topology
from faultkit.node import RabbitNode
from faultkit.platform import FaultPlatform, delete_prefix, drop_mongo_dbs, new_platform, service_env
from faultkit.proxy import TcpProxy


@dataclass
class Rig:
    """What a scenario drives: the node, the platform, the prefix and the proxies."""

    node: RabbitNode
    platform: FaultPlatform
    prefix: str
    store: str
    proxies: dict[str, TcpProxy] = field(default_factory=dict)
    known_cases: set[str] = field(default_factory=set)
    dirty: bool = False  # the last scenario failed: start the next one on fresh processes

    @property
    def urls(self) -> dict[str, str]:
        """Base URL of each service."""
        return {name: self.platform.url(name) for name in SERVICES}

    @property
    def dead_letter_queue(self) -> str:
        """The prefix's dead-letter queue."""
        return f"{self.prefix}.dead-letter"

    def service_queues(self) -> list[str]:
        """The platform's consuming queues."""
        topology = Topology(prefix=self.prefix)
        return [topology.queue_name(purpose) for purpose in topology.queues]

    async def ready_counts(self, names: list[str]) -> dict[str, int]:
        """Messages ready in each queue (a passive declare over AMQP: fast, but blind to unacknowledged ones)."""
        counts: dict[str, int] = {}
        connection = await aio_pika.connect(self.node.url)
        async with connection:
            channel = await connection.channel()
            for name in names:
                queue = await channel.declare_queue(name, passive=True)
                counts[name] = int(queue.declaration_result.message_count or 0)
        return counts

    def ensure_running(self, *, restart: bool = False) -> None:
        """Start the node or any service a failed scenario left down (all of them with `restart`, so one
        scenario's broken process does not fail the next); wait until all are ready."""
        self.node.ensure_running()
        for name, proc in self.platform.procs.items():
            if restart:
                self.platform.stop_one(name)
            if proc.poll() is not None:
                self.platform.start_one(name)
        self.wait_ready()

    def wait_ready(self, services: tuple[str, ...] = SERVICES, timeout: float = 120.0) -> None:
        """Every listed service answers /readyz with 200 (its broker connection and store are up)."""
        self.platform.wait_ready(timeout=timeout, services=services)

    def reports_total(self) -> int:
        """`total` of the reports summary."""
        answer = httpx.get(f"{self.urls['reports']}/v1/reports/summary", timeout=15.0)
        answer.raise_for_status()
        return summary_total(answer.json())


LOGS = Path(__file__).resolve().parents[3] / "tests" / "output" / "faults"


def dump_logs(platform: FaultPlatform, prefix: str) -> None:
    """Keep each service's log of the run under tests/output/faults/ (not committed) for diagnosis."""
    LOGS.mkdir(parents=True, exist_ok=True)
    for name, lines in platform.log_lines.items():
        (LOGS / f"{prefix}-{name}.log").write_text("\n".join(lines) + "\n", encoding="utf-8")


def summary_total(summary: dict) -> int:
    """Cases counted by a reports summary (`total`, or `totals.cases` in the current API)."""
    if "total" in summary:
        return int(summary["total"])
    return int(summary.get("totals", {}).get("cases", 0))


async def declare_audit_queue(url: str, prefix: str) -> None:
    """Create the events exchange and the audit queue before any service publishes."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(f"{prefix}.events", aio_pika.ExchangeType.TOPIC, durable=True)
        queue = await channel.declare_queue(f"{prefix}.faults-audit", durable=True,
                                            arguments={"x-queue-type": "quorum"})
        await queue.bind(exchange, routing_key="#")


@contextmanager
def running_rig(node: RabbitNode, data_dir: Path, *, store: str, proxied: tuple[str, ...] = (),
                extra_env: dict[str, str] | None = None) -> Iterator[Rig]:
    """Start the four services (those in `proxied` reach the broker through their own proxy); tear all down."""
    prefix = f"faults-{uuid.uuid4().hex[:8]}"
    asyncio.run(declare_audit_queue(node.url, prefix))
    proxies = {name: TcpProxy("127.0.0.1", node.port) for name in proxied}
    for proxy in proxies.values():
        proxy.start()
    env = {**service_env(prefix, node.url, Fernet.generate_key().decode(), store=store), **(extra_env or {})}
    platform = new_platform(data_dir, env, {name: p.url(node.url) for name, p in proxies.items()})
    rig = Rig(node=node, platform=platform, prefix=prefix, store=store, proxies=proxies)
    try:
        started = time.monotonic()
        platform.start()
        rig.wait_ready()
        print(f"faults: platform {prefix} ({store}) ready in {time.monotonic() - started:.1f}s")
        yield rig
    finally:
        platform.stop()
        dump_logs(platform, prefix)
        for proxy in proxies.values():
            proxy.stop()
        node.ensure_running()
        asyncio.run(delete_prefix(node.url, prefix, sorted(node.queues(prefix))))
        if store == "mongodb":
            drop_mongo_dbs(env["MONGODB_URL"], prefix)
