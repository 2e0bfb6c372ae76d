"""Two notifier processes on one SQLite store and one broker, on a fast clock: every timer fires exactly once."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime

import aio_pika
import httpx
import pytest

from contracts.registry import routing_key
from contracts.topology import Topology

from .test_service_on_rabbitmq import delete_topology, free_port, poll

pytestmark = pytest.mark.rabbitmq
CASES = 12


def fired_total(metrics: str) -> float:
    return sum(float(v) for v in re.findall(r'^notifier_timers_fired_total\{[^}]*\} ([0-9.e+]+)$', metrics, re.M))


async def test_two_replicas_fire_each_due_timer_once_between_them(tmp_path, rabbitmq_url, events):
    topo = Topology(prefix=f"t-{uuid.uuid4().hex[:8]}")
    epoch = datetime.now(UTC)
    ports = [free_port(), free_port()]
    procs = []
    for i, port in enumerate(ports):
        env = {**os.environ, "RABBITMQ_URL": rabbitmq_url, "WHISTLE_AMQP_PREFIX": topo.prefix,
               "WHISTLE_DATA_DIR": str(tmp_path), "NOTIFIER_PORT": str(port), "NOTIFIER_INSTANCE_ID": f"replica-{i}",
               "NOTIFIER_CLOCK_SPEED": "1440", "NOTIFIER_CLOCK_EPOCH": epoch.isoformat(),
               "NOTIFIER_SCHEDULER_POLL_S": "0.2"}
        env.pop("MONGODB_URL", None)
        with (tmp_path / f"replica-{i}.log").open("wb") as log:
            procs.append(await asyncio.create_subprocess_exec(sys.executable, "-m", "notifier", env=env, stdout=log,
                                                              stderr=subprocess.STDOUT))
    clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{p}", timeout=5) for p in ports]
    try:
        for http in clients:
            async def ready(http=http):
                try:
                    return (await http.get("/readyz")).status_code
                except httpx.TransportError:
                    return None
            await poll(ready, lambda code: code == 200, timeout=60)
        conn = await aio_pika.connect(rabbitmq_url)
        async with conn:
            ch = await conn.channel(publisher_confirms=True)
            exchange = await ch.get_exchange(topo.events_exchange)
            for n in range(CASES):  # leak: respond within 30 virtual minutes = 1.25 real seconds
                env = events.routed(f"two-{n}", sub="leak", at=datetime.now(UTC))
                await exchange.publish(aio_pika.Message(env.model_dump_json().encode(), message_id=env.id,
                                                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                                       routing_key=routing_key(env))

        async def fired_by_both() -> float:
            return sum([fired_total((await http.get("/metrics")).text) for http in clients])

        await poll(fired_by_both, lambda f: f >= 3 * CASES, timeout=60)  # 2 warnings + breach each
        for n in range(CASES):
            timers = (await clients[n % 2].get("/v1/timers", params={"case_id": f"two-{n}"})).json()["timers"]
            assert [t["status"] for t in timers if t["deadline"] == "response"] == ["fired"] * 3
        assert await fired_by_both() == 3 * CASES  # the two replicas' own counts: no timer was fired twice
    finally:
        for http in clients:
            await http.aclose()
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), timeout=30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        await delete_topology(rabbitmq_url, topo)
    assert [p.returncode for p in procs] == [0, 0]
