"""Health, readiness and Prometheus endpoints that every service mounts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

ReadinessCheck = Callable[[], Awaitable[bool]]


def ops_router(service: str, checks: dict[str, ReadinessCheck], registry: CollectorRegistry) -> APIRouter:
    """`/healthz` (the process answers), `/readyz` (broker and store answer), `/metrics`."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "service": service}

    @router.get("/readyz", summary="Broker and store are reachable",
                responses={503: {"description": "a dependency is not reachable"}})
    async def readyz() -> JSONResponse:
        results: dict[str, bool] = {}
        for name, check in checks.items():
            try:
                results[name] = bool(await check())
            except Exception:
                results[name] = False
        ready = all(results.values())
        return JSONResponse({"ready": ready, "checks": results, "service": service},
                            status_code=200 if ready else 503)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return router


def install_validation_errors(app: FastAPI) -> None:
    """422 with `detail` = [{loc, msg, type}] as the OpenAPI documents, never echoing the input back.

    FastAPI's own handler echoes `input`, which fails to serialise for a body such as `NaN` (a 500) and
    would send a rejected password or contact straight back.
    """

    @app.exception_handler(RequestValidationError)
    async def on_invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", "")),
                   "type": str(e.get("type", ""))} for e in exc.errors()]
        return JSONResponse({"detail": detail}, status_code=422)
