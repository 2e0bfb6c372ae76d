"""Broker permissions on the local RabbitMQ: department users read only their own queue and publish only their
replies; each platform service runs with its own user and publishes only its own event types."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import uuid
from pathlib import Path

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused
from sec_platform import ORG, ORG_FILE, REPO, create

from contracts.topology import Topology

pytestmark = pytest.mark.rabbitmq
SCRIPTS = REPO / "deploy" / "rabbitmq"
SERVICES = ("intake", "router", "notifier", "reports")


def rabbitmqctl_usable() -> bool:
    if shutil.which("rabbitmqctl") is None:
        return False
    return subprocess.run(["rabbitmqctl", "-q", "list_users"], capture_output=True, timeout=30).returncode == 0


needs_rabbitmqctl = pytest.mark.skipif(not rabbitmqctl_usable(), reason="rabbitmqctl not usable on this machine")


def script(name: str, prefix: str, *args: str, passwords: dict[str, str], delete: bool = False) -> None:
    env = {**os.environ, **passwords}
    subprocess.run([str(SCRIPTS / name), "--prefix", prefix, *(["--delete"] if delete else []), *args], check=True,
                   capture_output=True, env=env, timeout=120, cwd=REPO)


def url_for(rabbitmq_url: str, user: str, password: str) -> str:
    host = rabbitmq_url.split("@", 1)[1] if "@" in rabbitmq_url else rabbitmq_url.split("://", 1)[1]
    return f"amqp://{user}:{password}@{host}"


async def refused_read(url: str, queue: str) -> bool:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        try:
            await (await channel.declare_queue(queue, passive=True)).get(fail=False)
        except ChannelAccessRefused:
            return True
    return False


async def refused_publish(url: str, exchange: str, key: str) -> bool:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        target = await channel.get_exchange(exchange, ensure=False)
        try:
            await target.publish(aio_pika.Message(b"{}"), routing_key=key)
            await asyncio.sleep(0.2)
            await channel.set_qos(prefetch_count=1)  # needs no permission; raises when a refusal closed the channel
        except ChannelAccessRefused:
            return True
    return False


async def delete_all(url: str, topo: Topology) -> None:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for name in [topo.queue_name(q) for q in topo.queues] + [topo.dead_letter_queue] + [
                topo.department_queue(code) for code in ORG.departments]:
            await channel.queue_delete(name)
        await channel.exchange_delete(topo.events_exchange)
        await channel.exchange_delete(topo.dead_letter_exchange)


@needs_rabbitmqctl
def test_a_department_user_cannot_read_another_department_s_queue_or_publish_platform_events(
        rabbitmq_url: str, tmp_path: Path) -> None:
    prefix, secret = f"perm-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    topo = Topology(prefix=prefix)
    passwords = {"DEPT_PASSWORD_XIAOFANG": secret, "DEPT_PASSWORD_CHENGGUAN": secret}
    script("create_department_users.sh", prefix, "xiaofang", "chengguan", passwords=passwords)
    try:
        with _running(["router"], prefix, rabbitmq_url, tmp_path):  # the router declares the department queues
            xiaofang = url_for(rabbitmq_url, f"{prefix}-dept-xiaofang", secret)
            assert asyncio.run(refused_read(xiaofang, topo.department_queue("chengguan")))
            assert asyncio.run(refused_read(xiaofang, topo.queue_name("router.departments")))
            assert not asyncio.run(refused_read(xiaofang, topo.department_queue("xiaofang")))
            for key in ("case.routed.v1", "request.submitted.v1", "sla.breached.v1", "whistle.chengguan.v1"):
                assert asyncio.run(refused_publish(xiaofang, topo.events_exchange, key)), key
            assert not asyncio.run(refused_publish(xiaofang, topo.events_exchange, "dept.case.accepted.v1"))
    finally:
        script("create_department_users.sh", prefix, "xiaofang", "chengguan", passwords={}, delete=True)
        asyncio.run(delete_all(rabbitmq_url, topo))


@needs_rabbitmqctl
def test_each_service_runs_with_its_own_user_and_publishes_only_its_own_events(
        rabbitmq_url: str, tmp_path: Path) -> None:
    prefix, secret = f"perm-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    topo = Topology(prefix=prefix)
    passwords = {f"SVC_PASSWORD_{s.upper()}": secret for s in SERVICES}
    script("create_service_users.sh", prefix, passwords=passwords)
    urls = {s: url_for(rabbitmq_url, f"{prefix}-svc-{s}", secret) for s in SERVICES}
    try:
        with _running(list(SERVICES), prefix, rabbitmq_url, tmp_path, urls=urls):  # enough to start and consume
            for service, url in urls.items():  # the departments' queues carry contacts: the router's alone
                assert asyncio.run(refused_read(url, topo.department_queue("xiaofang"))) is (service != "router")
                assert asyncio.run(refused_read(url, topo.dead_letter_queue)), service
            forbidden = {"intake": "case.routed.v1", "router": "sla.breached.v1", "notifier": "request.submitted.v1",
                         "reports": "case.closed.v1"}
            allowed = {"intake": "request.submitted.v1", "router": "whistle.xiaofang.v1", "notifier": "sla.breached.v1",
                       "reports": "hotspot.detected.v1"}
            for service, url in urls.items():
                assert asyncio.run(refused_publish(url, topo.events_exchange, forbidden[service])), service
                assert not asyncio.run(refused_publish(url, topo.events_exchange, allowed[service])), service
    finally:
        script("create_service_users.sh", prefix, passwords={}, delete=True)
        asyncio.run(delete_all(rabbitmq_url, topo))


@contextlib.contextmanager
def _running(services: list[str], prefix: str, rabbitmq_url: str, tmp: Path, urls: dict[str, str] | None = None):
    """Start the services' lifespans (broker connection, topology, consumers) on one event loop in a thread."""
    import threading

    from intake.config import IntakeSettings
    from notifier.config import NotifierSettings
    from reports.config import ReportsSettings
    from router.config import RouterSettings

    kinds = {"intake": IntakeSettings, "router": RouterSettings, "notifier": NotifierSettings,
             "reports": ReportsSettings}
    extra = {"router": {"classifier_enabled": False}, "reports": {"hotspots_enabled": False},
             "notifier": {"scheduler_enabled": False}}
    apps = [create(s, kinds[s](rabbitmq_url=(urls or {}).get(s, rabbitmq_url), amqp_prefix=prefix,
                                data_dir=tmp / s, org_file=ORG_FILE, mongodb_url=None, **extra.get(s, {})))
            for s in services]
    loop, started, stop = asyncio.new_event_loop(), threading.Event(), None
    failure: list[BaseException] = []

    async def main() -> None:
        nonlocal stop
        stop = asyncio.Event()
        async with contextlib.AsyncExitStack() as stack:
            for app in apps:
                await stack.enter_async_context(app.router.lifespan_context(app))
            started.set()
            await stop.wait()

    def run() -> None:
        try:
            loop.run_until_complete(main())
        except BaseException as exc:
            failure.append(exc)
            started.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert started.wait(90), "services did not start"
    assert not failure, failure
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)  # type: ignore[union-attr]
        thread.join(60)
