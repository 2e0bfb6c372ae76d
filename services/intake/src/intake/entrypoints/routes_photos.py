"""Photos: upload before submitting (checked by content), served back only with the request's token or to staff."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated

from fastapi import APIRouter, File, Header, Query, Request, Response, UploadFile

from intake.adapters.photo_store import PhotoStore, PhotoStoreError
from intake.domain.photos import EXTENSIONS, PhotoRejected, inspect_photo
from intake.entrypoints.access import Caller, sees, staff_caller
from intake.entrypoints.deps import container_of
from intake.entrypoints.errors import reject
from intake.entrypoints.guards import enforce_rate_limits

router = APIRouter(prefix="/v1", tags=["photos"])
LOG = logging.getLogger("intake")


@router.post("/photos", status_code=201, summary="Upload one photo (JPEG/PNG/WebP, at most 5 MB)",
             responses={413: {"description": "too large"}, 415: {"description": "not JPEG/PNG/WebP"},
                        503: {"description": "the photo store failed; nothing was kept, upload again later"}})
async def upload_photo(request: Request, file: Annotated[UploadFile, File()], caller: Caller) -> dict[str, object]:
    """Store the photo and return its id, to list under `photos` in POST /v1/requests."""
    c = container_of(request)
    if staff_caller(caller) is None:
        enforce_rate_limits(request, None)
    data = await file.read(c.settings.max_photo_bytes + 1)
    try:
        media_type, ext = inspect_photo(data, max_bytes=c.settings.max_photo_bytes)
    except PhotoRejected as exc:
        status = 413 if len(data) > c.settings.max_photo_bytes else 415
        raise reject(status, "photos", str(exc)) from exc
    photo_id = f"{uuid.uuid4().hex}.{ext}"
    try:
        await request.app.state.photos.put(photo_id, data, media_type)
    except PhotoStoreError as exc:
        LOG.warning("photo not stored", extra={"photo_id": photo_id, "error": str(exc)[:300]})
        await _forget(request.app.state.photos, photo_id)
        raise reject(503, "photos", "照片保存失败，请稍后重新上传") from exc
    return {"id": photo_id, "media_type": media_type, "size": len(data)}


async def _forget(photos: PhotoStore, photo_id: str) -> None:
    """After a failed upload, remove whatever may have arrived (a PUT that timed out can still land)."""
    try:
        await photos.delete(photo_id)
    except PhotoStoreError as exc:
        LOG.warning("photo clean-up failed", extra={"photo_id": photo_id, "error": str(exc)[:300]})


@router.get("/requests/{request_id}/photos/{photo_id}", response_class=Response,
            responses={403: {"description": "wrong token"}, 404: {"description": "unknown photo"},
                       503: {"description": "the photo store failed"}},
            summary="A photo of a request (access token or staff in scope)")
async def get_photo(request_id: str, photo_id: str, request: Request, caller: Caller,
                    x_access_token: Annotated[str | None, Header()] = None,
                    token: Annotated[str | None, Query()] = None) -> Response:
    """The photo bytes, only for the resident with the token or staff in whose subtree the request lies."""
    c = container_of(request)
    req = await c.repo.get(request_id)
    if req is None or photo_id not in req.photos:
        raise reject(404, "photo", "未找到该照片")
    if not sees(request, caller, req) and not c.intake.token_matches(req, x_access_token or token):
        raise reject(403, "token", "访问凭证无效，无法查看该照片")
    try:
        data = await request.app.state.photos.get(photo_id)
    except PhotoStoreError as exc:
        LOG.warning("photo not readable", extra={"photo_id": photo_id, "error": str(exc)[:300]})
        raise reject(503, "photo", "照片暂时无法读取，请稍后再试") from exc
    if data is None:
        raise reject(404, "photo", "未找到该照片")
    media = EXTENSIONS[photo_id.rsplit(".", 1)[1]]
    return Response(data, media_type=media, headers={"Cache-Control": "private, max-age=3600"})
