"""create_app(settings): the FastAPI app; everything opens and closes in the lifespan."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from intake.bootstrap import build
from intake.config import IntakeSettings
from intake.entrypoints import routes_requests
from intake.entrypoints.consumer import subscribe
from intake.entrypoints.errors import install_error_handlers
from intake.metrics import create_metrics
from servicekit.http import ops_router

DESCRIPTION = """Whistle intake: residents' requests (诉求) in, tracking and return visit out.

Errors: `4xx` with `{"detail": [{"field": "text", "message": "请填写诉求内容"}]}` — `field` is the dotted
path of the offending field, `message` is Chinese for residents."""


def create_app(settings: IntakeSettings | None = None, *, start_broker: bool = True) -> FastAPI:
    """Build the app; the store, handlers and broker runtime are created in the lifespan."""
    settings = settings or IntakeSettings()
    log = logging.getLogger("intake")
    metrics = create_metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = await build(settings, log)
        app.state.container = container
        subscribe(container, metrics, log)
        try:
            if start_broker:
                await container.runtime.start()
            yield
        finally:
            if start_broker:
                await container.runtime.stop()
            await container.close()

    app = FastAPI(title="Whistle intake", version="1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.metrics = metrics
    app.state.settings = settings
    install_error_handlers(app)
    app.include_router(routes_requests.router)

    async def broker_ok() -> bool:
        return await app.state.container.runtime.ping()

    async def store_ok() -> bool:
        return await app.state.container.repo.ping()

    app.include_router(ops_router("intake", {"broker": broker_ok, "store": store_ok}, metrics.registry))
    return app
