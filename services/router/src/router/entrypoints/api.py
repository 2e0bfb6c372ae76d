"""The router's HTTP app: lifespan opens store and broker; ops routes and the case API."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from router.bootstrap import Router, build
from router.config import RouterSettings
from router.metrics import RouterMetrics
from servicekit.http import ops_router


def create_app(settings: RouterSettings, log: logging.Logger | None = None) -> FastAPI:
    """Build the FastAPI app; everything is opened in the lifespan, nothing at import time."""
    logger = log or logging.getLogger("router")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        router: Router = await build(settings, logger, metrics)
        app.state.router = router
        await router.runtime.start()
        try:
            yield
        finally:
            await router.runtime.stop()
            await router.ctx.repo.close()

    app = FastAPI(title="Whistle router", version="1", lifespan=lifespan,
                  description="分拨：分类、派单、吹哨、工单状态机与部门回复")
    metrics = RouterMetrics()

    async def broker_ready() -> bool:
        return await app.state.router.runtime.ping()  # type: ignore[no-any-return]

    async def store_ready() -> bool:
        return await app.state.router.ctx.repo.ping()  # type: ignore[no-any-return]

    app.include_router(ops_router("router", {"broker": broker_ready, "store": store_ready}, metrics.registry))
    from router.entrypoints import admin_api, cases_api, departments_api, staff_api, triage_api

    for module in (cases_api, staff_api, triage_api, departments_api, admin_api):
        app.include_router(module.router)
    return app

