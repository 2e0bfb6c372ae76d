"""Report endpoints beyond the summary: breakdown, trend, overdue, hot issues and custom queries with export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response

from reports.adapters.exports import to_csv, to_xlsx
from reports.bootstrap import Container
from reports.case_queries import QUERY_FIELDS, fact_query, overdue, query_cases
from reports.domain.facts import STATUSES
from reports.domain.org import LEVELS
from reports.domain.rows import COLUMNS
from reports.entrypoints.access import Staff, scoped_nodes, sees_community
from reports.entrypoints.filters import bad, check_names, parse_day, scope_from
from reports.queries import BREAKDOWNS, breakdown, top_categories, trend
from servicekit.auth.deps import AuthError
from servicekit.auth.principal import Principal
from servicekit.auth.roles import Role

PAGE = ("limit", "offset")


def _int(request: Request, name: str, default: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad(name, f"{raw!r} is not an integer") from None
    if not 0 <= value <= high:
        raise bad(name, f"must be between 0 and {high}")
    return value


def _choice(request: Request, name: str, allowed: tuple[str, ...], default: str) -> str:
    value = request.query_params.get(name, default)
    if value not in allowed:
        raise bad(name, f"{value!r} is not one of {', '.join(allowed)}")
    return value


def _case_filters(request: Request, principal: Principal,
                  extra: tuple[str, ...]) -> tuple[dict[str, str], str | None, str | None]:
    check_names(request, (*QUERY_FIELDS, "from", "to", *extra))
    params = request.query_params
    status = params.get("status")
    if status and status not in STATUSES:
        raise bad("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    day_from, day_to = parse_day("from", params.get("from")), parse_day("to", params.get("to"))
    if day_from and day_to and day_from > day_to:
        raise bad("to", "'to' is before 'from'")
    filters = {k: params[k] for k in QUERY_FIELDS if params.get(k)}
    nodes = scoped_nodes(request, principal, {k: v for k, v in filters.items() if k in LEVELS})
    return {**filters, **nodes}, day_from, day_to


def report_router(clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> APIRouter:
    """The /v1/reports endpoints other than the summary."""
    router = APIRouter(prefix="/v1/reports", tags=["reports"], responses={
        401: {"description": "staff credentials required"}, 403: {"description": "a filter outside your scope"}})

    def container(request: Request) -> Container:
        return request.app.state.container  # type: ignore[no-any-return]

    @router.get("/breakdown", summary="Figures per street, community, compound, grid, class, category or unit")
    async def get_breakdown(request: Request, principal: Staff) -> dict:
        by = _choice(request, "by", tuple(BREAKDOWNS), "community")
        scope = scope_from(request, principal, extra=("by",))
        if by in LEVELS and LEVELS.index(by) < LEVELS.index(scope.finest_level()):
            raise bad("by", f"by={by} is coarser than the {scope.finest_level()} filter")
        c = container(request)
        with c.metrics.query_seconds.labels("breakdown").time():
            return {"by": by, "rows": await breakdown(c.repo, c.org, scope, by)}

    @router.get("/trend", summary="Figures per day, week or month of creation")
    async def get_trend(request: Request, principal: Staff) -> dict:
        interval = _choice(request, "interval", ("day", "week", "month"), "day")
        scope = scope_from(request, principal, extra=("interval",))
        c = container(request)
        with c.metrics.query_seconds.labels("trend").time():
            return {"interval": interval, "points": await trend(c.repo, scope, interval)}

    @router.get("/top-categories", summary="The most frequent sub-categories")
    async def get_top(request: Request, principal: Staff) -> dict:
        limit = _int(request, "limit", 10, 100)
        scope = scope_from(request, principal, extra=("limit",))
        return {"rows": await top_categories(container(request).repo, scope, limit)}

    @router.get("/overdue", summary="Open cases past their response or resolution deadline")
    async def get_overdue(request: Request, principal: Staff) -> dict:
        filters, day_from, day_to = _case_filters(request, principal, PAGE)
        query = fact_query(filters, day_from, day_to, limit=_int(request, "limit", 100, 5000),
                           offset=_int(request, "offset", 0, 10**7))
        c = container(request)
        rows = await overdue(c.repo, c.org, query, clock())
        return {"count": len(rows), "rows": rows}

    @router.get("/hotspots", summary="Hot issues detected in incoming requests (未诉先办)")
    async def get_hotspots(request: Request, principal: Staff) -> dict:
        check_names(request, ("community", "limit"))
        community = request.query_params.get("community")
        admin = principal.role is Role.PLATFORM_ADMIN
        if community and not admin and not sees_community(request, principal, community):
            raise AuthError(403, f"community {community} is outside your scope", field="community")
        rows = await container(request).repo.hotspots(community_id=community, limit=_int(request, "limit", 50, 1000))
        if not admin:
            rows = [r for r in rows if sees_community(request, principal, r.get("community_id"))]
        return {"rows": rows}

    @router.get("/query", summary="Custom query (智慧报表) with CSV and XLSX export", response_model=None,
                responses={200: {"content": {"text/csv": {}, "application/vnd.openxmlformats-officedocument."
                                             "spreadsheetml.sheet": {}}}})
    async def get_query(request: Request, principal: Staff) -> Response | dict:
        fmt = _choice(request, "format", ("json", "csv", "xlsx"), "json")
        filters, day_from, day_to = _case_filters(request, principal, (*PAGE, "format"))
        default_limit = 100 if fmt == "json" else 100_000
        query = fact_query(filters, day_from, day_to, limit=_int(request, "limit", default_limit, 100_000),
                           offset=_int(request, "offset", 0, 10**7))
        c = container(request)
        with c.metrics.query_seconds.labels("query").time():
            total, figs, rows = await query_cases(c.repo, c.org, query, clock())
        if fmt == "csv":
            return Response(to_csv(rows, COLUMNS), media_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": 'attachment; filename="whistle-cases.csv"'})
        if fmt == "xlsx":
            return Response(to_xlsx(rows, COLUMNS, figures=figs),
                            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": 'attachment; filename="whistle-cases.xlsx"'})
        return {"total": total, "figures": figs, "columns": dict(COLUMNS), "rows": rows}

    return router
