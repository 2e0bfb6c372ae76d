"""A whole platform per test module: four real processes on free ports against the real RabbitMQ."""

from __future__ import annotations

import socket
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import aio_pika
import pytest
from processes import SERVICES, Platform

from contracts.topology import Topology

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def delete_prefix(url: str, topology: Topology, extra_queues: list[str]) -> None:
    """Remove every queue and exchange a test platform declared."""
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        names = [topology.queue_name(p) for p in topology.queues] + [topology.dead_letter_queue, *extra_queues]
        for name in names:
            await channel.queue_delete(name)
        await channel.exchange_delete(topology.events_exchange)
        await channel.exchange_delete(topology.dead_letter_exchange)


@pytest.fixture(scope="module")
def running_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """Start intake, router, notifier and reports; stop them and delete their broker objects afterwards."""
    import asyncio
    import os

    prefix = f"e2e-{uuid.uuid4().hex[:8]}"
    url = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
    platform = Platform(
        data_dir=tmp_path_factory.mktemp("data"), echo=False,
        env={"WHISTLE_AMQP_PREFIX": prefix, "WHISTLE_DEV_MODE": "true", "RABBITMQ_URL": url},
        ports={name: free_port() for name in SERVICES})
    platform.start()
    try:
        platform.wait_ready(timeout=90)
        yield platform
    finally:
        platform.stop()
        dept_queues = [f"{prefix}.whistle.{code}" for code in ("xiaofang", "chengguan", "huanwei", "fangguan")]
        asyncio.run(delete_prefix(url, Topology(prefix=prefix), dept_queues))
