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
from intake.entrypoints.access import authenticator_for
from intake.entrypoints.consumer import subscribe
from intake.entrypoints.errors import install_error_handlers, install_overload_handler, install_rate_limit_handler
from intake.entrypoints.guards import Limiters
from intake.metrics import create_metrics
from intake.retention import run_retention
from servicekit.auth.audit_http import audit_router, install_audit
from servicekit.auth.audit_stores import open_audit_log
from servicekit.auth.orgindex import OrgIndex
from servicekit.auth.setup import install_auth
from servicekit.http import ops_router
from servicekit.shedding import InFlightLimit

DESCRIPTION = """Whistle intake: residents' requests (诉求) in, tracking and return visit out.

Errors: `4xx` with `{"detail": [{"field": "text", "message": "请填写诉求内容"}]}` — `field` is the dotted
path of the offending field, `message` is Chinese for residents.

Residents use the per-request access token; staff present a bearer token (docs/security.md)."""
AUDITED_READS = ("get_staff_request", "get_photo")

MAX_BODY = 8 * 1024 * 1024  # a 5 MB photo or 12345 batch with multipart overhead; larger bodies get 413


def create_app(settings: IntakeSettings | None = None, *, start_broker: bool = True) -> FastAPI:
    """Build the app (refusing missing secrets outside dev mode); the store and broker open in the lifespan."""
    settings = settings or IntakeSettings()
    log = logging.getLogger("intake")
    metrics = create_metrics()
    for resolve in (settings.resolved_contact_key, settings.resolved_storage_key, settings.resolved_qr_keys,
                    settings.open311_key_set, settings.photo_store_kind):
        resolve()
    auth = authenticator_for(settings, OrgIndex.from_file(settings.org_file))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = await build(settings, log)
        app.state.container = container
        app.state.audit = await open_audit_log(settings, "intake")
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
            await app.state.audit.close()

    app = FastAPI(title="Whistle intake", version="1.0", description=DESCRIPTION, lifespan=lifespan,
                  max_body_size=MAX_BODY)
    app.state.metrics = metrics
    app.state.settings = settings
    install_auth(app, auth)
    install_audit(app, service="intake", log_of=lambda a: getattr(a.state, "audit", None), audited_reads=AUDITED_READS)
    install_error_handlers(app)
    install_rate_limit_handler(app)
    install_overload_handler(app)
    app.add_middleware(InFlightLimit, limit=settings.max_in_flight, retry_after_s=1,
                       message="系统繁忙，请稍后再试（您的诉求尚未提交）")
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
    app.include_router(audit_router(lambda a: getattr(a.state, "audit", None)))
    return app
