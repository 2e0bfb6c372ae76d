"""The notifier as a real process against the real RabbitMQ: case.routed in, timers stored, sla.scheduled out."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import uuid

import aio_pika
import httpx
import pytest

from contracts.registry import routing_key
from contracts.topology import Topology

pytestmark = pytest.mark.rabbitmq


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def poll(fetch, done, timeout: float = 20.0):
    """Call `fetch` until `done(result)`; bounded, no fixed sleeps."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await fetch()
        if done(result):
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not met in time; last result: {result!r}")
        await asyncio.sleep(0.1)


async def delete_topology(url: str, topo: Topology) -> None:
    conn = await aio_pika.connect(url)
    async with conn:
        ch = await conn.channel()
        for purpose in topo.queues:
            await ch.queue_delete(topo.queue_name(purpose))
        await ch.queue_delete(topo.dead_letter_queue)
        await ch.exchange_delete(topo.events_exchange)
        await ch.exchange_delete(topo.dead_letter_exchange)


async def test_a_routed_case_gets_its_timers_and_sla_scheduled_is_published(tmp_path, rabbitmq_url, events):
    topo = Topology(prefix=f"t-{uuid.uuid4().hex[:8]}")
    port = free_port()
    env = {**os.environ, "RABBITMQ_URL": rabbitmq_url, "WHISTLE_AMQP_PREFIX": topo.prefix,
           "WHISTLE_DATA_DIR": str(tmp_path), "NOTIFIER_PORT": str(port)}
    env.pop("MONGODB_URL", None)
    log_path = tmp_path / "notifier.log"
    with log_path.open("wb") as log_file:
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "notifier", env=env, stdout=log_file,
                                                    stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=5) as http:
            async def ready():
                try:
                    return (await http.get("/readyz")).status_code
                except httpx.TransportError:
                    return None
            await poll(ready, lambda code: code == 200)
            envelope = events.routed("case-int-1", sub="leak")
            conn = await aio_pika.connect(rabbitmq_url)
            async with conn:
                ch = await conn.channel(publisher_confirms=True)
                exchange = await ch.get_exchange(topo.events_exchange)
                await exchange.publish(aio_pika.Message(envelope.model_dump_json().encode(), message_id=envelope.id,
                                                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                                       routing_key=routing_key(envelope))
                unknown = await http.get("/v1/timers", params={"case_id": "no-such-case"})
                assert unknown.status_code == 404
                body = await poll(lambda: http.get("/v1/timers", params={"case_id": "case-int-1"}),
                                  lambda r: r.status_code == 200)
                timers = body.json()
                assert timers["sla_policy"] == "leak-urgent"
                assert timers["response_due"].startswith("2025-03-03T02:30:00")
                assert {t["kind"] for t in timers["timers"]} == {"warning", "breach"}
                queue = await ch.get_queue(topo.queue_name("intake.case-updates"))

                async def next_scheduled():
                    msg = await queue.get(fail=False)
                    if msg is None:
                        return None
                    await msg.ack()
                    return json.loads(msg.body)
                scheduled = await poll(next_scheduled, lambda m: m is not None and m["type"] == "sla.scheduled.v1")
            assert scheduled["data"]["case_id"] == "case-int-1"
            assert scheduled["causationid"] == envelope.id
            assert scheduled["data"]["response_due"].startswith("2025-03-03T02:30:00")
            csv = "asset_id,kind,title,community_id,last_done,unit_ids\nEL-1,elevator_inspection,1号楼电梯年检,qc-jh-jh,2024-04-30,u1\n"
            imported = await http.post("/v1/assets/import", content=csv.encode(), headers={"Content-Type": "text/csv"})
            assert imported.json() == {"imported": 1}
            lift = (await http.get("/v1/assets/EL-1")).json()
            assert lift["due"] == "2025-04-30" and len(lift["reminders"]) == 2
            bad = await http.post("/v1/assets/import", content=b"asset_id,kind\n", headers={"Content-Type": "text/csv"})
            assert bad.status_code == 422 and "missing column(s)" in bad.json()["detail"]
            assert (await http.get("/v1/assets/nope")).status_code == 404
            sub = await http.post("/v1/subscriptions", json={"case_id": "case-int-1", "channel": "sms",
                                                              "address": "13800138000", "ref": "WS-1"})
            assert sub.status_code == 201 and sub.json()["address"] == "138****8000"
            assert (await http.get("/v1/notifications", params={"case_id": "case-int-1"})).json() == []
            metrics = (await http.get("/metrics")).text
            assert 'notifier_events_total{outcome="applied",type="case.routed.v1"} 1.0' in metrics
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), timeout=30)
        except TimeoutError:
            proc.kill()
            await proc.wait()
        await delete_topology(rabbitmq_url, topo)
    output = log_path.read_text(encoding="utf-8")
    assert proc.returncode == 0, output[-3000:]
    assert f"listening on http://127.0.0.1:{port}" in output.splitlines()[0]
