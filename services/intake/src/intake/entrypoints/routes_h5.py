"""The H5 pages: the form behind a compound's QR code (token checked on the server) and static pages."""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from intake.adapters.qrtoken import TokenRejected
from intake.entrypoints.deps import container_of

router = APIRouter(tags=["h5"], include_in_schema=False)
STATIC = Path(str(resources.files("intake") / "static"))

TOKEN_ERRORS = {
    "revoked": ("二维码已失效", "该二维码已停止使用。请扫描小区公告栏最新张贴的二维码，或联系社区工作人员。"),
    "forged": ("二维码无效", "无法识别该二维码，可能被篡改或复制不完整。请扫描小区张贴的官方二维码。"),
    "unknown": ("小区不存在", "该二维码对应的小区已不在服务范围内，请联系社区工作人员。"),
}


def _page(name: str, **values: str) -> str:
    text = (STATIC / name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"__{key}__", html.escape(value, quote=True))
    return text


@router.get("/h5/c/{token}", response_class=HTMLResponse)
async def form_page(token: str, request: Request) -> HTMLResponse:
    """The form for the compound in the token, or a clear Chinese page when the token is not valid."""
    intake = container_of(request).intake
    try:
        compound = intake.directory.get(intake.compound_tokens.verify(token))
        reason = "unknown" if compound is None else ""
    except TokenRejected as exc:
        compound, reason = None, exc.reason
    if compound is None:
        title, message = TOKEN_ERRORS[reason]
        return HTMLResponse(_page("error.html", TITLE=title, MESSAGE=message), status_code=403)
    return HTMLResponse(_page("form.html", COMPOUND_NAME=compound.name, COMMUNITY_NAME=compound.community_name,
                              COMPOUND_TOKEN=token))


def mount_static(app: FastAPI) -> None:
    """Serve track/status/rate pages, CSS, JS and the service worker under /h5/."""
    app.mount("/h5", StaticFiles(directory=STATIC, html=True), name="h5")
