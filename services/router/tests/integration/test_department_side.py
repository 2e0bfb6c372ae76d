"""A department system end to end on the real RabbitMQ: its own broker user, its own queue, replies over
AMQP (the example consumer) and REST; it may not read another department's queue or publish other events."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import aio_pika
import httpx
import pytest
from aiormq.exceptions import ChannelAccessRefused

from contracts.events.common import Contact
from router.adapters.sealing import ContactOpener
from router.config import DEV_CONTACT_KEY

from ..conftest import REPO_ROOT
from .broker_helpers import delete_topology, make_settings, running
from .test_routing_over_rabbitmq import ALL_DEPTS, publish

pytestmark = pytest.mark.rabbitmq
SCRIPT = REPO_ROOT / "deploy" / "rabbitmq" / "create_department_users.sh"


def rabbitmqctl_usable() -> bool:
    if shutil.which("rabbitmqctl") is None:
        return False
    return subprocess.run(["rabbitmqctl", "-q", "list_users"], capture_output=True, timeout=30).returncode == 0


needs_rabbitmqctl = pytest.mark.skipif(not rabbitmqctl_usable(), reason="rabbitmqctl not usable on this machine")


def users(prefix: str, *codes: str, delete: bool = False, passwords: dict[str, str] | None = None) -> None:
    env = {**os.environ, **{f"DEPT_PASSWORD_{c.upper()}": p for c, p in (passwords or {}).items()}}
    args = [str(SCRIPT), "--prefix", prefix, *(["--delete"] if delete else []), *codes]
    subprocess.run(args, check=True, capture_output=True, env=env, timeout=60, cwd=REPO_ROOT)


def dept_url(rabbitmq_url: str, user: str, password: str) -> str:
    host = rabbitmq_url.split("@", 1)[1] if "@" in rabbitmq_url else rabbitmq_url.split("://", 1)[1]
    return f"amqp://{user}:{password}@{host}"


async def get_case(app, case_id: str) -> dict:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router") as client:
        return (await client.get(f"/v1/cases/{case_id}")).json()


@needs_rabbitmqctl
async def test_a_department_receives_its_whistle_and_replies_but_cannot_read_another_queue(
        tmp_path: Path, rabbitmq_url: str, submitted) -> None:
    secret = uuid.uuid4().hex
    settings = make_settings(tmp_path, rabbitmq_url, department_keys={"xiaofang": f"xf-{secret}",
                                                                      "chengguan": f"cg-{secret}"})
    prefix = settings.amqp_prefix
    users(prefix, "xiaofang", "fangguan", passwords={"xiaofang": secret, "fangguan": secret})
    xiaofang_url = dept_url(rabbitmq_url, f"{prefix}-dept-xiaofang", secret)
    sealed = ContactOpener(DEV_CONTACT_KEY).seal(Contact(name="周先生", phone="13700000000"))
    request = submitted("2号楼楼道堆满杂物，消防通道被堵死了", request_id="r-dept", sealed=sealed)
    try:
        async with running(settings) as app:
            await publish(rabbitmq_url, settings, request)
            example = await asyncio.create_subprocess_exec(
                sys.executable, str(REPO_ROOT / "examples" / "department_consumer.py"), "--url", xiaofang_url,
                "--dept", "xiaofang", "--prefix", prefix, "--once", stdout=asyncio.subprocess.PIPE)
            out, _ = await asyncio.wait_for(example.communicate(), timeout=30)
            lines = [json.loads(line) for line in out.decode().splitlines()]
            case_id = lines[0]["case_id"]
            assert lines[0]["contact"]["phone"] == "13700000000" and lines[1]["replied"] == "dept.case.accepted.v1"
            seen: dict = {}

            async def accepted() -> None:
                seen.update(await get_case(app, case_id))

            for _ in range(200):
                await accepted()
                if seen.get("status") == "accepted":
                    break
                await asyncio.sleep(0.05)
            assert seen["status"] == "accepted" and seen["dept_status"] == {"xiaofang": "accepted"}

            await assert_cannot_read(xiaofang_url, f"{prefix}.whistle.fangguan")
            await assert_cannot_publish(xiaofang_url, f"{prefix}.events", "case.routed.v1")
            await assert_rest_replies(app, case_id, secret)
    finally:
        users(prefix, "xiaofang", "fangguan", delete=True)
        await delete_topology(rabbitmq_url, settings, ALL_DEPTS)


async def assert_cannot_read(url: str, queue_name: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        with pytest.raises(ChannelAccessRefused):
            queue = await channel.declare_queue(queue_name, passive=True)
            await queue.get(fail=False)


async def assert_cannot_publish(url: str, exchange_name: str, key: str) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(exchange_name, ensure=False)
        with pytest.raises(ChannelAccessRefused):
            await exchange.publish(aio_pika.Message(b"{}"), routing_key=key)
            await asyncio.sleep(0.2)
            await channel.declare_queue(passive=False, exclusive=True)  # surfaces a closed channel


async def assert_rest_replies(app, case_id: str, secret: str) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://router") as client:
        url = f"/v1/departments/cases/{case_id}"
        wrong = await client.post(f"{url}/progress", json={"note": "x"}, headers={"X-API-Key": "nope"})
        other = await client.post(f"{url}/resolved", json={}, headers={"X-API-Key": f"cg-{secret}"})
        body = {"note": "已清理楼道杂物", "handler": "张队", "reply_id": "xf-1"}
        done = await client.post(f"{url}/resolved", json=body, headers={"X-API-Key": f"xf-{secret}"})
        again = await client.post(f"{url}/resolved", json=body, headers={"X-API-Key": f"xf-{secret}"})
        mine = await client.get("/v1/departments/cases", headers={"X-API-Key": f"xf-{secret}"})
    assert wrong.status_code == 401
    assert other.status_code == 403
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert again.status_code == 200 and again.json()["version"] == done.json()["version"]
    assert mine.json() == []  # resolved: no longer open
