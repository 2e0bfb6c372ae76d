"""HTTP: timers and notifications of a case, plus health, readiness and metrics."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from pydantic import BaseModel

from notifier.bootstrap import Notifier, build
from notifier.config import NotifierSettings
from notifier.entrypoints.access import DENIED, Staff, authenticator_for, authorize_clock
from notifier.entrypoints.api_assets import assets_router
from notifier.entrypoints.api_notifications import notifications_router
from notifier.entrypoints.schemas import TimerOut
from notifier.metrics import NotifierMetrics
from servicekit.auth.audit_http import audit_router, install_audit
from servicekit.auth.audit_stores import open_audit_log
from servicekit.auth.setup import install_auth
from servicekit.http import install_validation_errors, ops_router
from servicekit.logs import configure_logging

MAX_BODY = 6 * 1024 * 1024  # a 5 MB asset register; larger bodies get 413


class CaseTimersOut(BaseModel):
    """A case's SLA clock and timers."""

    case_id: str
    known: bool
    status: str | None = None
    tier: int | None = None
    sla_policy: str | None = None
    response_due: datetime | None = None
    resolution_due: datetime | None = None
    timers: list[TimerOut]


def _service(request: Request) -> Notifier:
    return request.app.state.notifier  # type: ignore[no-any-return]


def api_router() -> APIRouter:
    """The notifier's /v1 routes."""
    router = APIRouter(prefix="/v1", tags=["timers"])

    @router.get("/timers", summary="A case's SLA deadlines and timers", response_model=CaseTimersOut,
                responses={404: {"description": "the notifier has not seen this case (yet)"}, **DENIED})
    async def timers(request: Request, principal: Staff,
                     case_id: Annotated[str, Query(min_length=1, max_length=100)]) -> CaseTimersOut:
        repo = _service(request).store.timers
        case = await repo.get_case(case_id)
        authorize_clock(request, principal, case, case_id)
        listed = [TimerOut.of(t) for t in await repo.timers_for_case(case_id)]
        if case is None and not listed:
            raise HTTPException(404, f"no SLA clock for case {case_id} (yet)")
        if case is None:
            return CaseTimersOut(case_id=case_id, known=False, timers=listed)
        return CaseTimersOut(
            case_id=case_id, known=True, status=str(case.status), tier=case.tier, sla_policy=case.policy,
            response_due=case.response.due if case.response else None,
            resolution_due=case.resolution.due if case.resolution else None, timers=listed)

    return router


def create_app(settings: NotifierSettings | None = None) -> FastAPI:
    """The notifier's FastAPI app (refusing public secrets outside dev mode); the store, broker and scheduler
    open in the lifespan."""
    settings = settings or NotifierSettings()
    settings.check_secrets()
    metrics = NotifierMetrics()
    auth = authenticator_for(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log = configure_logging("notifier", settings.log_level)
        notifier = await build(settings, log, metrics=metrics)
        app.state.notifier = notifier
        app.state.audit = await open_audit_log(settings, "notifier")
        await notifier.start()
        try:
            yield
        finally:
            await notifier.stop()
            await app.state.audit.close()

    app = FastAPI(title="Whistle notifier", version="1.0", lifespan=lifespan, max_body_size=MAX_BODY,
                  description="SLA timers on a Chinese working calendar, reminders, escalation and notifications")
    install_auth(app, auth)
    install_validation_errors(app)
    install_audit(app, service="notifier", log_of=lambda a: getattr(a.state, "audit", None))
    app.include_router(api_router())
    app.include_router(notifications_router())
    app.include_router(assets_router())

    async def broker_ok() -> bool:
        return await app.state.notifier.runtime.ping()  # type: ignore[no-any-return]

    async def store_ok() -> bool:
        return await app.state.notifier.store.ping()  # type: ignore[no-any-return]

    app.include_router(ops_router("notifier", {"broker": broker_ok, "store": store_ok}, metrics.registry))
    app.include_router(audit_router(lambda a: getattr(a.state, "audit", None)))

    @app.middleware("http")
    async def refresh_gauges(request: Request, call_next):  # type: ignore[no-untyped-def]
        if request.url.path == "/metrics":
            await _service(request).refresh_gauges()
        return await call_next(request)

    return app
