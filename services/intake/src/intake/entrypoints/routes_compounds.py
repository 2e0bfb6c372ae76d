"""Compounds: public info, QR codes (SVG/PNG) and the A4 poster, all pointing at the signed H5 form URL."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request, Response

from intake.adapters.poster import FontMissing, poster_pdf, qr_png, qr_svg
from intake.domain.org import Compound
from intake.entrypoints.deps import container_of
from intake.entrypoints.errors import reject

router = APIRouter(prefix="/v1", tags=["compounds"])
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "unknown compound"}}


def _compound(request: Request, compound_id: str) -> Compound:
    found = container_of(request).intake.directory.get(compound_id)
    if found is None:
        raise reject(404, "compound_id", "未找到该小区")
    return found


def form_url(request: Request, compound: Compound) -> str:
    """The H5 form URL with the compound's signed token."""
    c = container_of(request)
    return f"{c.settings.base_url()}/h5/c/{c.intake.compound_tokens.sign(compound.id)}"


def compound_info(request: Request, compound: Compound) -> dict[str, Any]:
    """Public facts and links of a compound."""
    base = f"{container_of(request).settings.base_url()}/v1/compounds/{compound.id}"
    return {"id": compound.id, "name": compound.name, "community_id": compound.community_id,
            "community_name": compound.community_name, "street_name": compound.street_name,
            "form_url": form_url(request, compound), "qrcode_svg": f"{base}/qrcode.svg",
            "qrcode_png": f"{base}/qrcode.png", "poster_pdf": f"{base}/poster.pdf"}


@router.get("/compounds", summary="Every compound residents can report from")
async def list_compounds(request: Request) -> dict[str, Any]:
    """Ids, names and links."""
    compounds = container_of(request).intake.directory.compounds.values()
    return {"compounds": [compound_info(request, c) for c in compounds]}


@router.get("/compounds/{compound_id}", responses=NOT_FOUND, summary="One compound and its QR links")
async def get_compound(compound_id: str, request: Request) -> dict[str, Any]:
    """Name, community and the H5 form URL with a signed token."""
    return compound_info(request, _compound(request, compound_id))


@router.get("/compounds/{compound_id}/qrcode.svg", response_class=Response, responses=NOT_FOUND,
            summary="QR code (SVG) opening the H5 form for this compound")
async def qrcode_svg(compound_id: str, request: Request) -> Response:
    """SVG QR code."""
    return Response(qr_svg(form_url(request, _compound(request, compound_id))), media_type="image/svg+xml")


@router.get("/compounds/{compound_id}/qrcode.png", response_class=Response, responses=NOT_FOUND,
            summary="QR code (PNG) opening the H5 form for this compound")
async def qrcode_png(compound_id: str, request: Request) -> Response:
    """PNG QR code."""
    return Response(qr_png(form_url(request, _compound(request, compound_id))), media_type="image/png")


@router.get("/compounds/{compound_id}/poster.pdf", response_class=Response,
            responses={**NOT_FOUND, 503: {"description": "no Chinese font installed"}},
            summary="Printable A4 poster with the compound name, QR code and service hours")
async def poster(compound_id: str, request: Request) -> Response:
    """A4 PDF in Chinese."""
    compound = _compound(request, compound_id)
    c = container_of(request)
    try:
        pdf = await asyncio.to_thread(poster_pdf, compound_name=compound.name,
                                      community_name=compound.community_name, url=form_url(request, compound),
                                      hours_line=c.settings.poster_hours_line)
    except FontMissing as exc:
        raise reject(503, "font", str(exc)) from exc
    headers = {"Content-Disposition": f'inline; filename="poster-{compound.id}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)
