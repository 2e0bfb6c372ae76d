"""Fixtures for intake's tests: settings on a tmp dir, a running app, a probe on the events exchange."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aio_pika
import httpx
import pytest

from contracts.topology import Topology
from intake.config import IntakeSettings
from intake.entrypoints.api import create_app

REPO = Path(__file__).resolve().parents[3]
ORG_FILE = REPO / "deploy" / "demo" / "org.yaml"
COMPOUND = "qc-jh-jh-hy"


def make_settings(tmp_path: Path, rabbitmq_url: str, **extra: object) -> IntakeSettings:
    """Settings isolated from a live platform: own data dir and AMQP prefix; staff calls need credentials."""
    values: dict[str, object] = {"dev_anonymous": False, **extra}
    return IntakeSettings(data_dir=tmp_path, rabbitmq_url=rabbitmq_url, amqp_prefix=f"t-{uuid.uuid4().hex[:8]}",
                          org_file=ORG_FILE, mongodb_url=None, outbox_poll_s=0.1, **values)


async def delete_topology(url: str, topo: Topology) -> None:
    """Remove the test's queues and exchanges."""
    conn = await aio_pika.connect(url)
    async with conn:
        ch = await conn.channel()
        for purpose in topo.queues:
            await ch.queue_delete(topo.queue_name(purpose))
        await ch.queue_delete(topo.dead_letter_queue)
        await ch.exchange_delete(topo.events_exchange)
        await ch.exchange_delete(topo.dead_letter_exchange)


@pytest.fixture
async def settings(tmp_path: Path, rabbitmq_url: str, record_store) -> AsyncIterator[IntakeSettings]:
    """Fresh settings; the test's topology is deleted afterwards."""
    record_store("sqlite")
    s = make_settings(tmp_path, rabbitmq_url)
    yield s
    await delete_topology(rabbitmq_url, s.topology)


@asynccontextmanager
async def running(settings: IntakeSettings) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    """An httpx client on the ASGI app with its lifespan running (real broker)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://intake.test") as client:
            yield client, app


@pytest.fixture
async def app_client(settings: IntakeSettings) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    """The app on default test settings."""
    async with running(settings) as pair:
        yield pair


@pytest.fixture
def app_with(settings: IntakeSettings):
    """Start the app with some settings changed: `async with app_with(rate_limit_per_ip=2) as (client, app)`."""

    def start(**changes: object):
        return running(settings.model_copy(update=changes))

    return start


STAFF = {"Authorization": "Bearer dev-staff-token"}
