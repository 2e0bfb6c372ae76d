"""Starting the services for a scenario: free ports, a unique AMQP prefix, and a clean broker afterwards."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aio_pika
import yaml

from bench.payloads import DEPARTMENTS, ORG_FILE
from contracts.topology import Topology

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "deploy" / "local"))

from processes import SERVICES, Platform  # noqa: E402

RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
# Intake limits each client address; the whole benchmark comes from 127.0.0.1.
BENCH_ENV = {"INTAKE_RATE_LIMIT_PER_IP": "1000000000", "INTAKE_RATE_LIMIT_PER_PHONE": "1000000000",
             "WHISTLE_DEV_MODE": "true", "WHISTLE_LOG_LEVEL": "WARNING"}


def listed_queues(prefix: str) -> list[str]:
    """Queue names under the prefix that rabbitmqctl lists (empty when it is not available)."""
    from bench.queues import listed

    return list(listed(prefix) or {})


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def new_prefix(scenario: str) -> str:
    """A prefix of its own for each scenario's exchanges and queues."""
    return f"bench-{scenario}-{uuid.uuid4().hex[:6]}"


def mongo_env(prefix: str) -> dict[str, str]:
    """With MONGODB_URL, a database of its own per service and scenario (dropped afterwards)."""
    if not os.environ.get("MONGODB_URL"):
        return {}
    safe = prefix.replace("-", "_")
    return {f"{name.upper()}_MONGODB_DB": f"{safe}_{name}" for name in SERVICES}


def department_codes(org_file: Path = ORG_FILE) -> list[str]:
    """Every department of the organisation (the router declares a queue for each)."""
    org = yaml.safe_load(org_file.read_text(encoding="utf-8"))
    return [d["code"] for d in org.get("departments", [])]


async def delete_prefix(prefix: str, url: str = RABBITMQ_URL, extra: tuple[str, ...] = ()) -> None:
    """Remove every queue and exchange declared under the prefix (service, department, dead-letter)."""
    topology = Topology(prefix=prefix)
    names = {topology.queue_name(p) for p in topology.queues} | {topology.dead_letter_queue, *extra}
    names |= {topology.department_queue(code) for code in (*DEPARTMENTS, *department_codes())}
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for name in names:
            await channel.queue_delete(name)
        await channel.exchange_delete(topology.events_exchange)
        await channel.exchange_delete(topology.dead_letter_exchange)


async def drop_mongo(prefix: str) -> None:
    """Drop the scenario's MongoDB databases."""
    url = os.environ.get("MONGODB_URL")
    if not url:
        return
    from pymongo import AsyncMongoClient

    client: AsyncMongoClient = AsyncMongoClient(url)
    try:
        for db in mongo_env(prefix).values():
            await client.drop_database(db)
    finally:
        await client.close()


@contextmanager
def platform(scenario: str, data_dir: Path, services: tuple[str, ...] = SERVICES, *,
             extra_env: dict[str, str] | None = None, prefix: str | None = None) -> Iterator[Platform]:
    """Start the services (real processes), yield them ready, stop them and clean the broker."""
    prefix = prefix or new_prefix(scenario)
    env = {**BENCH_ENV, "WHISTLE_AMQP_PREFIX": prefix, "RABBITMQ_URL": RABBITMQ_URL, **mongo_env(prefix),
           **(extra_env or {})}
    running = Platform(data_dir=data_dir, env=env, echo=False,
                       ports={name: free_port() for name in SERVICES})
    try:
        running.start(services)
        running.wait_ready(timeout=120, services=services)
        yield running
    finally:
        running.stop()
        asyncio.run(delete_prefix(prefix, extra=tuple(listed_queues(prefix))))
        asyncio.run(drop_mongo(prefix))


def prefix_of(running: Platform) -> str:
    """The AMQP prefix a platform runs under."""
    return running.env["WHISTLE_AMQP_PREFIX"]
