"""The broker's view of a scenario: its queues and how many messages they still hold."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time

import aio_pika

from bench.platform import RABBITMQ_URL
from contracts.topology import Topology


def listed(prefix: str) -> dict[str, int] | None:
    """Messages (ready + unacknowledged) per queue of the prefix, from rabbitmqctl; None when unavailable."""
    if not shutil.which("rabbitmqctl"):
        return None
    try:
        out = subprocess.run(["rabbitmqctl", "list_queues", "-q", "--formatter", "json", "name", "messages"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        rows = json.loads(out or "[]")
    except (subprocess.SubprocessError, OSError, ValueError):
        return None
    return {r["name"]: int(r["messages"] or 0) for r in rows if r["name"].startswith(f"{prefix}.")}


async def ready_counts(prefix: str, url: str = RABBITMQ_URL) -> dict[str, int]:
    """Messages ready in each service queue (passive declare; does not see unacknowledged ones)."""
    topology = Topology(prefix=prefix)
    counts: dict[str, int] = {}
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for purpose in topology.queues:
            queue = await channel.declare_queue(topology.queue_name(purpose), passive=True)
            counts[purpose] = int(queue.declaration_result.message_count or 0)
    return counts


def service_backlog(prefix: str) -> int:
    """Messages still waiting in or held by the services' queues (department queues excluded)."""
    topology = Topology(prefix=prefix)
    names = {topology.queue_name(p) for p in topology.queues}
    found = listed(prefix)
    if found is None:
        return sum(asyncio.run(ready_counts(prefix)).values())
    return sum(n for name, n in found.items() if name in names)


def wait_queues_empty(prefix: str, *, timeout: float, settle_checks: int = 2) -> bool:
    """True once the services' queues have held nothing several checks in a row (False at the timeout)."""
    end = time.monotonic() + timeout
    quiet = 0
    while time.monotonic() < end:
        quiet = quiet + 1 if service_backlog(prefix) == 0 else 0
        if quiet >= settle_checks:
            return True
        time.sleep(0.3)
    return False
