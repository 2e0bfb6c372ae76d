"""Helpers for router tests on the real RabbitMQ: a unique prefix, a running app, a tap queue, clean-up."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aio_pika
from fastapi import FastAPI

from router.config import RouterSettings
from router.entrypoints.api import create_app


def make_settings(tmp_path: Path, rabbitmq_url: str, **overrides: Any) -> RouterSettings:
    """Settings for one test: unique prefix, own data dir, fast outbox, no classifier unless asked."""
    values: dict[str, Any] = {"rabbitmq_url": rabbitmq_url, "amqp_prefix": f"t-{uuid.uuid4().hex[:8]}",
                              "data_dir": tmp_path, "delivery_limit": 2, "outbox_poll_s": 0.1,
                              "classifier_enabled": False, "mongodb_url": None}
    values.update(overrides)
    return RouterSettings(**values)


@asynccontextmanager
async def running(settings: RouterSettings) -> AsyncIterator[FastAPI]:
    """The router app with its lifespan entered (store open, consumers and relay running)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def tap(url: str, exchange: str, keys: tuple[str, ...]) -> AsyncIterator[list[dict[str, Any]]]:
    """A temporary queue bound to the events exchange; yields the list of received envelopes."""
    received: list[dict[str, Any]] = []
    conn = await aio_pika.connect(url)
    async with conn:
        ch = await conn.channel()
        queue = await ch.declare_queue(f"tap-{uuid.uuid4().hex[:8]}", exclusive=True, auto_delete=True)
        ex = await ch.get_exchange(exchange)
        for key in keys:
            await queue.bind(ex, routing_key=key)

        async def on_message(msg: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with msg.process():
                body = json.loads(msg.body)
                body["_routing_key"] = msg.routing_key
                received.append(body)

        await queue.consume(on_message)
        yield received


async def wait_for(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Poll until the predicate holds (bounded)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def delete_topology(url: str, settings: RouterSettings, dept_codes: tuple[str, ...] = ()) -> None:
    """Remove every queue and exchange declared under the test prefix."""
    topo = settings.topology
    conn = await aio_pika.connect(url)
    async with conn:
        ch = await conn.channel()
        for purpose in topo.queues:
            await ch.queue_delete(topo.queue_name(purpose))
        for code in dept_codes:
            await ch.queue_delete(topo.department_queue(code))
        await ch.queue_delete(topo.dead_letter_queue)
        await ch.exchange_delete(topo.events_exchange)
        await ch.exchange_delete(topo.dead_letter_exchange)
