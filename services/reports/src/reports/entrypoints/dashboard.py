"""The Chinese dashboard page, its local script and style, and the org tree its filters list."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, HTTPException, Request, Response
from fastapi.responses import HTMLResponse

from reports.entrypoints.access import Staff, visible_node
from reports.entrypoints.filters import check_names

ASSETS = {"dashboard.js": "text/javascript; charset=utf-8", "dashboard.css": "text/css; charset=utf-8"}


def _static(name: str) -> bytes:
    return files("reports").joinpath("static", name).read_bytes()


def dashboard_router() -> APIRouter:
    """GET /dashboard, its assets (served from the package: no CDN), and GET /v1/reports/org."""
    router = APIRouter()

    @router.get("/dashboard", response_class=HTMLResponse, tags=["dashboard"], summary="数据看板")
    async def dashboard() -> HTMLResponse:
        return HTMLResponse(_static("dashboard.html").decode("utf-8"))

    @router.get("/dashboard/assets/{name}", tags=["dashboard"], include_in_schema=False)
    async def asset(name: str) -> Response:
        if name not in ASSETS:
            raise HTTPException(404, "no such asset")
        return Response(_static(name), media_type=ASSETS[name], headers={"Cache-Control": "max-age=300"})

    @router.get("/v1/reports/org", tags=["reports"], summary="Streets and communities for the filters (your subtree)",
                responses={401: {"description": "staff credentials required"}})
    async def org(request: Request, principal: Staff) -> dict:
        check_names(request, ())
        index = request.app.state.container.org
        nodes = [(i, lv) for i, lv in sorted(index.levels.items()) if visible_node(request, principal, i)]
        return {
            "streets": [{"id": i, "name": index.name(i)} for i, lv in nodes if lv == "street"],
            "communities": [{"id": i, "name": index.name(i), "street": index.parents.get(i)}
                            for i, lv in nodes if lv == "community"],
        }

    return router
