"""Staff endpoints: 12345 batch import and the unmasked view of a request."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from intake.entrypoints.access import IMPORTERS, Staff, authorize_request, compound_place, paths_of
from intake.entrypoints.deps import container_of
from intake.entrypoints.errors import reject
from intake.entrypoints.views import request_view
from intake.imports import import_hotline
from servicekit.auth.principal import Principal, in_scope

router = APIRouter(prefix="/v1", tags=["staff"])
MAX_IMPORT_BYTES = 5 * 1024 * 1024

IMPORT_DOC = {"requestBody": {"content": {
    "text/csv": {"schema": {"type": "string"}, "example":
                 "order_no,compound_id,text,phone,deadline\n"
                 "12345-20261121-0001,qc-jh-jh-hy,小区门口路灯不亮,13812341234,2026-11-23 18:00\n"},
    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}


DENIED: dict[int | str, dict[str, Any]] = {401: {"description": "staff credentials required"},
                                           403: {"description": "role or scope not allowed"}}


@router.post("/imports/hotline", openapi_extra=IMPORT_DOC, responses=DENIED,
             summary="Import a batch of 12345 hotline work orders (CSV or JSON; secretaries and above)")
async def post_hotline_import(request: Request, staff: Annotated[Principal, Depends(IMPORTERS)]) -> dict[str, Any]:
    """Each good row becomes a request on channel hotline_12345 keeping the order number and deadline.

    Malformed rows and rows for compounds outside the caller's scope are reported by line (`errors`) and
    the rest imported; an order number imported before is listed under `duplicates`, never stored twice.
    """
    raw = await request.body()
    if len(raw) > MAX_IMPORT_BYTES:
        raise reject(413, "body", "文件过大（最多 5 MB）")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise reject(422, "body", "文件应为 UTF-8 编码") from exc
    is_json = "json" in request.headers.get("content-type", "")
    c = container_of(request)
    index = paths_of(request)

    def allowed(compound_id: str | None, building: str | None) -> bool:
        compound = c.intake.directory.get(compound_id or "")
        return compound is None or in_scope(staff, compound_place(index, compound, building))

    result = await import_hotline(c.intake, text, is_json=is_json, staff=staff.name or staff.subject,
                                  now=datetime.now(UTC), allowed=allowed)
    if result["imported"] and c.runtime.relay:
        c.runtime.relay.wake()
    return result


@router.get("/staff/requests/{request_id}", responses=DENIED,
            summary="A request with the resident's contact in clear (staff in whose subtree it lies)")
async def get_staff_request(request_id: str, request: Request, staff: Staff) -> dict[str, Any]:
    """The resident view plus the decrypted contact, the external order number and who submitted it."""
    c = container_of(request)
    req = await c.repo.get(request_id)
    if req is None:
        raise reject(404, "id", "未找到该诉求")
    authorize_request(request, staff, req)
    view = request_view(req, c.intake.directory, c.settings.base_url()).model_dump(mode="json")
    view["contact"] = c.intake.cipher.decrypt(req.contact_enc) if req.contact_enc else None
    view.update(external_ref=req.external_ref, submitted_by=req.submitted_by, contact_purged=req.contact_purged,
                external_deadline=req.external_deadline.isoformat() if req.external_deadline else None)
    return view
