"""Open311 GeoReport v2 routes: each endpoint in .json and .xml, errors in the standard's format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

import defusedxml.ElementTree as SafeET
from fastapi import APIRouter, Request, Response
from pydantic import ValidationError

from intake.adapters.repository import RequestQuery
from intake.domain.timeline import OPEN_STATUSES
from intake.domain.validation import FieldError, InputRejected, from_pydantic
from intake.entrypoints.deps import container_of
from intake.entrypoints.guards import RateLimited, enforce_rate_limits
from intake.entrypoints.schemas import SubmitRequestIn
from intake.handlers import OutboxFull
from intake.open311 import requests as o311
from intake.open311.extras import enricher, read_extras
from intake.open311.formats import Open311Error, error_response, render
from intake.open311.services import service_definition, service_list

router = APIRouter(prefix="/open311/v2", tags=["open311"])
SPEC = "http://wiki.open311.org/GeoReport_v2"
MAX_SPAN = timedelta(days=90)
CLOSED = ("resolved", "closed", "cancelled")


def _fmt(fmt: str) -> str:
    if fmt not in ("json", "xml"):
        raise Open311Error(404, f"format {fmt} is not supported; use .json or .xml")
    return fmt


def _require_key(request: Request, presented: str | None) -> None:
    """Every request read and write needs an API key: the list holds residents' complaints about neighbours."""
    if (presented or "") not in container_of(request).settings.open311_key_set():
        raise Open311Error(403, "api_key was not provided or is invalid / API 密钥无效")


async def _guarded(fmt: str, build: Any) -> Response:
    try:
        return await build(_fmt(fmt))
    except Open311Error as exc:
        return error_response(fmt, exc)


@router.get("/discovery.{fmt}", summary="GeoReport v2 discovery")
async def discovery(fmt: str, request: Request) -> Response:
    """Endpoints, formats and contact."""
    base = container_of(request).settings.base_url()

    async def build(f: str) -> Response:
        return render(f, "discovery", {
            "changeset": "2026-11-21T00:00:00+08:00", "contact": "吹哨平台运维 · 12345",
            "key_service": f"{base}/docs#open311 (API keys from the platform operators)",
            "endpoints": [{"specification": SPEC, "url": f"{base}/open311/v2", "changeset": "2026-11-21T00:00:00+08:00",
                           "type": "production", "formats": ["text/xml", "application/json"]}]})
    return await _guarded(fmt, build)


@router.get("/services.{fmt}", summary="GeoReport v2 service list")
async def services(fmt: str) -> Response:
    """Every sub-category as a service, grouped by class."""
    async def build(f: str) -> Response:
        return render(f, "services", service_list())
    return await _guarded(fmt, build)


@router.get("/services/{code}.{fmt}", summary="GeoReport v2 service definition")
async def service(code: str, fmt: str, request: Request) -> Response:
    """Attribute definitions of one service."""
    async def build(f: str) -> Response:
        definition = service_definition(code, container_of(request).intake.directory)
        if definition is None:
            raise Open311Error(404, f"service_code {code} not found")
        return render(f, "service_definition", definition)
    return await _guarded(fmt, build)


async def _params(request: Request) -> dict[str, str]:
    """Form-encoded parameters (the standard), or an XML body read with defusedxml (extension)."""
    raw = await request.body()
    if "xml" in request.headers.get("content-type", ""):
        try:
            root = SafeET.fromstring(raw)
        except Exception as exc:  # defusedxml raises for entities, DTDs and malformed XML alike
            raise Open311Error(400, "XML body is not acceptable / XML 内容无法解析") from exc
        params = {child.tag: (child.text or "").strip() for child in root if child.tag != "attributes"}
        for attr in root.iterfind("attributes/attribute"):
            params[f"attribute[{attr.get('code', '')}]"] = (attr.text or "").strip()
        return params
    return dict(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))


@router.post("/requests.{fmt}", summary="GeoReport v2: create a service request (api_key required)")
async def create_request(fmt: str, request: Request) -> Response:
    """Form-encoded like the standard; answers service_request_id, service_notice and account_id."""
    async def build(f: str) -> Response:
        c = container_of(request)
        params = await _params(request)
        _require_key(request, params.get("api_key"))
        try:
            enforce_rate_limits(request, params.get("phone") or None)
            extras = read_extras(params)
            body = SubmitRequestIn.model_validate(o311.submission(params))
            outcome = await c.intake.submit(body, now=datetime.now(UTC),
                                            enrich=enricher(c.intake.cipher, extras) if extras else None)
        except RateLimited as exc:
            raise Open311Error(429, "too many requests / 提交过于频繁", {"Retry-After": str(exc.retry_after)}) from exc
        except OutboxFull as exc:
            raise Open311Error(503, "temporarily unavailable, retry later / 系统繁忙，请稍后再试",
                               {"Retry-After": str(exc.retry_after)}) from exc
        except ValidationError as exc:
            raise Open311Error(400, _described(from_pydantic(exc.errors()))) from exc
        except InputRejected as exc:
            raise Open311Error(400, _described(exc.errors)) from exc
        if c.runtime.relay:
            c.runtime.relay.wake()
        return render(f, "service_requests", [{"service_request_id": outcome.request.id, "token":
                                               outcome.request.tracking_code, "service_notice": o311.SERVICE_NOTICE,
                                               "account_id": extras.account_id}], status=201)
    return await _guarded(fmt, build)


def _described(errors: list[FieldError]) -> str:
    """Field errors named by the GeoReport v2 parameter the client sent."""
    return "; ".join(f"{o311.parameter(e.field)}: {e.message}" for e in errors)


@router.get("/requests.{fmt}", summary="GeoReport v2: query service requests (api_key required)")
async def list_requests(fmt: str, request: Request) -> Response:
    """Filters: service_request_id, service_code, start_date/end_date (at most 90 days), status."""
    async def build(f: str) -> Response:
        params = dict(request.query_params)
        _require_key(request, params.get("api_key"))
        ids = tuple(i.strip() for i in params.get("service_request_id", "").split(",") if i.strip())
        codes = [s.strip() for s in params.get("service_code", "").split(",") if s.strip()]
        start, end = o311.parse_date(params, "start_date"), o311.parse_date(params, "end_date")
        if start and end and end - start > MAX_SPAN:
            raise Open311Error(400, "start_date and end_date may be at most 90 days apart / 查询跨度不能超过90天")
        if not ids and not start and not end:
            start = datetime.now(UTC) - MAX_SPAN
        elif start and not end and not ids:
            end = start + MAX_SPAN
        elif end and not start and not ids:
            start = end - MAX_SPAN
        statuses: tuple[str, ...] = ()
        for s in (s.strip() for s in params.get("status", "").split(",") if s.strip()):
            if s not in ("open", "closed"):
                raise Open311Error(400, "status must be open or closed")
            statuses += OPEN_STATUSES if s == "open" else CLOSED
        found = await _query(request, ids, codes, statuses, start, end)
        directory = container_of(request).intake.directory
        return render(f, "service_requests", [o311.public_view(r, directory) for r in found])
    return await _guarded(fmt, build)


async def _query(request: Request, ids: tuple[str, ...], codes: list[str], statuses: tuple[str, ...],
                 start: datetime | None, end: datetime | None) -> list[Any]:
    repo = container_of(request).repo
    results: list[Any] = []
    wanted: list[str | None] = list(codes) or [None]
    for code in wanted:
        results += await repo.find(RequestQuery(ids=ids, sub_category=code, statuses=statuses, start=start, end=end,
                                                limit=1000))
    return sorted(results, key=lambda r: r.submitted_at, reverse=True)[:1000]


@router.get("/requests/{request_id}.{fmt}", summary="GeoReport v2: one service request (api_key required)")
async def get_request(request_id: str, fmt: str, request: Request) -> Response:
    """The request as a one-element list."""
    async def build(f: str) -> Response:
        _require_key(request, request.query_params.get("api_key"))
        c = container_of(request)
        req = await c.repo.get(request_id)
        if req is None:
            raise Open311Error(404, f"service_request_id {request_id} not found")
        return render(f, "service_requests", [o311.public_view(req, c.intake.directory)])
    return await _guarded(fmt, build)


@router.get("/tokens/{token}.{fmt}", summary="GeoReport v2: service_request_id for a token (api_key required)")
async def get_token(token: str, fmt: str, request: Request) -> Response:
    """The token is the tracking code returned by POST requests."""
    async def build(f: str) -> Response:
        _require_key(request, request.query_params.get("api_key"))
        req = await container_of(request).repo.by_tracking_code(token)
        if req is None:
            raise Open311Error(404, f"token {token} not found")
        return render(f, "service_requests", [{"service_request_id": req.id, "token": token}])
    return await _guarded(fmt, build)
