"""The HTTP app: operations routes, the report API and the dashboard; resources live in the lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from fastapi import FastAPI, Request

from reports.bootstrap import Container, build
from reports.config import ReportsSettings
from reports.entrypoints.access import Staff, authenticator_for
from reports.entrypoints.dashboard import dashboard_router
from reports.entrypoints.filters import scope_from
from reports.entrypoints.report_routes import report_router
from reports.hotspot_job import detect_in_subprocess, detect_in_thread, detect_once, run_periodically
from reports.hotspots.model import HotspotConfig
from reports.queries import summary
from servicekit.auth.audit_http import audit_router, install_audit
from servicekit.auth.audit_stores import open_audit_log
from servicekit.auth.setup import install_auth
from servicekit.http import install_validation_errors, ops_router

AUDITED_READS = ("get_query", "get_overdue")  # case rows with residents' texts

MAX_BODY = 64 * 1024  # reports only reads; larger bodies get 413


def create_app(settings: ReportsSettings, *, log: logging.Logger | None = None,
               clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> FastAPI:
    """Build the app; the store, broker and background tasks open and close with its lifespan."""
    log = log or logging.getLogger("reports")
    holder: dict[str, Container] = {}
    auth = authenticator_for(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = build(settings, log)
        await container.repo.ensure_indexes()
        app.state.container = container
        app.state.audit = await open_audit_log(settings, "reports")
        holder["c"] = container
        await container.runtime.start()
        stop = asyncio.Event()
        task = _start_hotspots(container, stop) if settings.hotspots_enabled else None
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                await asyncio.gather(task, return_exceptions=True)
            await container.runtime.stop()
            await container.repo.close()
            await app.state.audit.close()

    app = FastAPI(title="Whistle reports", version="1.0", lifespan=lifespan, max_body_size=MAX_BODY,
                  description="三率、SLA、明细查询与导出、热点发现、数据看板。Staff bearer tokens; figures are limited "
                              "to the caller's subtree (docs/security.md).")
    install_auth(app, auth)
    install_validation_errors(app)
    install_audit(app, service="reports", log_of=lambda a: getattr(a.state, "audit", None),
                  audited_reads=AUDITED_READS)

    async def broker_ready() -> bool:
        return await holder["c"].runtime.ping() if "c" in holder else False

    async def store_ready() -> bool:
        return await holder["c"].repo.ping() if "c" in holder else False

    metrics_registry = _LazyRegistry(holder)
    app.include_router(ops_router("reports", {"broker": broker_ready, "store": store_ready},
                                  metrics_registry))  # type: ignore[arg-type]

    @app.get("/v1/reports/summary", tags=["reports"], summary="Totals, 三率 and counts by status, class, community",
             responses={401: {"description": "staff credentials required"},
                        403: {"description": "a filter outside your scope"}})
    async def get_summary(request: Request, principal: Staff) -> dict:
        container: Container = request.app.state.container
        scope = scope_from(request, principal)
        with container.metrics.query_seconds.labels("summary").time():
            return await summary(container.repo, container.org, scope)

    app.include_router(report_router(clock))
    app.include_router(dashboard_router())
    app.include_router(audit_router(lambda a: getattr(a.state, "audit", None)))
    return app


def _start_hotspots(container: Container, stop: asyncio.Event) -> asyncio.Task[None]:
    """The periodic hot-issue pass; new issues wake the outbox relay."""
    s = container.settings
    config = HotspotConfig(window_days=s.hotspot_window_days, baseline_days=s.hotspot_baseline_days)
    detector = detect_in_subprocess if s.hotspots_in_subprocess else detect_in_thread

    async def detect() -> None:
        new = await detect_once(container.repo, container.org, config, datetime.now(UTC), detector=detector)
        if new:
            container.metrics.hotspots.inc(new)
            if container.runtime.relay is not None:
                container.runtime.relay.wake()

    return asyncio.create_task(
        run_periodically(detect, interval_s=s.hotspot_interval_s, log=container.log, stop=stop), name="hotspots")


class _LazyRegistry:
    """The container's metrics registry, looked up when /metrics is scraped (it is built in the lifespan)."""

    def __init__(self, holder: dict[str, Container]) -> None:
        self._holder = holder

    def collect(self):  # type: ignore[no-untyped-def]
        """Delegate to the live registry (nothing before start-up)."""
        if "c" in self._holder:
            yield from self._holder["c"].metrics.registry.collect()
