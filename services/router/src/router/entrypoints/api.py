"""The router's HTTP app: lifespan opens store, broker and audit log; ops, auth and the case API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from router.bootstrap import Router, build, load_directory
from router.config import RouterSettings
from router.entrypoints.security import build_security
from router.metrics import RouterMetrics
from servicekit.auth.audit_http import audit_router, install_audit
from servicekit.auth.audit_stores import open_audit_log
from servicekit.auth.setup import install_auth
from servicekit.http import install_validation_errors, ops_router

AUDITED_READS = ("get_case", "list_cases", "unit_cases", "queue", "decisions_csv", "my_cases")

MAX_BODY = 2 * 1024 * 1024  # the organisation file is the largest body; larger ones get 413


def create_app(settings: RouterSettings, log: logging.Logger | None = None) -> FastAPI:
    """Build the FastAPI app; refuses (MissingSecret naming it) when a secret is missing outside dev mode."""
    logger = log or logging.getLogger("router")
    directory = load_directory(settings)
    security = build_security(settings, directory)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        router: Router = await build(settings, logger, metrics, directory=directory)
        app.state.router = router
        app.state.audit = await open_audit_log(settings, "router")
        await router.runtime.start()
        try:
            yield
        finally:
            await router.runtime.stop()
            await router.ctx.repo.close()
            await app.state.audit.close()

    app = FastAPI(title="Whistle router", version="1", lifespan=lifespan, max_body_size=MAX_BODY,
                  description="分拨：分类、派单、吹哨、工单状态机与部门回复。Staff sign in at POST /v1/auth/token "
                              "(or bring an OIDC token); departments use X-API-Key. See docs/security.md.")
    metrics = RouterMetrics()
    app.state.security = security
    install_auth(app, security.auth)
    install_validation_errors(app)
    install_audit(app, service="router", log_of=lambda a: getattr(a.state, "audit", None),
                  audited_reads=AUDITED_READS)

    async def broker_ready() -> bool:
        return await app.state.router.runtime.ping()  # type: ignore[no-any-return]

    async def store_ready() -> bool:
        return await app.state.router.ctx.repo.ping()  # type: ignore[no-any-return]

    app.include_router(ops_router("router", {"broker": broker_ready, "store": store_ready}, metrics.registry))
    from router.entrypoints import admin_api, auth_api, cases_api, departments_api, staff_api, triage_api

    modules = (cases_api, staff_api, triage_api, departments_api, admin_api)
    for module in (auth_api, *modules) if settings.token_issuing else modules:
        app.include_router(module.router)
    if not settings.token_issuing:
        app.include_router(auth_api.me_router)
    app.include_router(audit_router(lambda a: getattr(a.state, "audit", None)))
    return app
