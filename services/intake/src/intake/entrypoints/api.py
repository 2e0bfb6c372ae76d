"""create_app(settings): the FastAPI app; everything opens and closes in the lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from intake.adapters.ratelimit import RateLimiter
from intake.bootstrap import build
from intake.config import IntakeSettings
from intake.entrypoints import (
    routes_catalog,
    routes_compounds,
    routes_h5,
    routes_open311,
    routes_photos,
    routes_requests,
    routes_staff,
)
from intake.entrypoints.consumer import subscribe
from intake.entrypoints.errors import install_error_handlers, install_rate_limit_handler
from intake.entrypoints.guards import Limiters
from intake.metrics import create_metrics
from intake.retention import run_retention
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
        app.state.photos = container.photos
        subscribe(container, metrics, log)
        retention = asyncio.create_task(run_retention(
            container.repo, days=settings.retention_days, interval_s=settings.retention_interval_s))
        try:
            if start_broker:
                await container.runtime.start()
            yield
        finally:
            retention.cancel()
            await asyncio.gather(retention, return_exceptions=True)
            if start_broker:
                await container.runtime.stop()
            await container.close()

    app = FastAPI(title="Whistle intake", version="1.0", description=DESCRIPTION, lifespan=lifespan)
    app.state.metrics = metrics
    app.state.settings = settings
    install_error_handlers(app)
    install_rate_limit_handler(app)
    app.state.limiters = Limiters(RateLimiter(settings.rate_limit_per_ip, settings.rate_window_s),
                                  RateLimiter(settings.rate_limit_per_phone, settings.rate_window_s))
    for module in (routes_requests, routes_staff, routes_catalog, routes_compounds, routes_photos, routes_open311,
                   routes_h5):
        app.include_router(module.router)

    routes_h5.mount_static(app)

    async def broker_ok() -> bool:
        return await app.state.container.runtime.ping()

    async def store_ok() -> bool:
        return await app.state.container.repo.ping()

    app.include_router(ops_router("intake", {"broker": broker_ok, "store": store_ok}, metrics.registry))
    return app
