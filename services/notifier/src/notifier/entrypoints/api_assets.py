"""HTTP: import asset registers from CSV, record that an inspection was done, read an asset's reminders."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Path, Request
from pydantic import BaseModel

from notifier.adapters.asset_csv import AssetCsvError, parse_assets
from notifier.domain.assets import Asset
from notifier.entrypoints.access import DENIED, Registrar, Staff, authorize_asset
from notifier.entrypoints.schemas import TimerOut
from notifier.handlers import import_assets, record_done
from servicekit.auth.principal import Principal

MAX_CSV_BYTES = 5_000_000


class DoneIn(BaseModel):
    """When the inspection or task was done."""

    done_on: date


class AssetOut(BaseModel):
    """A register entry, its next due date and its reminder timers."""

    asset_id: str
    kind: str
    title: str
    community_id: str
    last_done: date
    due: date
    unit_ids: list[str]
    reminders: list[TimerOut]


async def _out(request: Request, asset: Asset) -> AssetOut:
    timers = await request.app.state.notifier.store.timers.timers_for_case(asset.owner_id())
    return AssetOut(asset_id=asset.asset_id, kind=asset.kind, title=asset.title, community_id=asset.community_id,
                    last_done=asset.last_done, due=asset.due, unit_ids=list(asset.unit_ids),
                    reminders=[TimerOut.of(t) for t in timers])


async def _asset_for(request: Request, principal: Principal, asset_id: str) -> Asset:
    asset = await request.app.state.notifier.store.timers.get_asset(asset_id)
    if asset is None:
        raise HTTPException(404, f"no asset {asset_id}")
    authorize_asset(request, principal, asset)
    return asset


def assets_router() -> APIRouter:
    """The /v1/assets routes."""
    router = APIRouter(prefix="/v1/assets", tags=["asset reminders"])

    @router.post("/import", summary="Import an asset register (CSV, UTF-8; community staff and above, own subtree)",
                 openapi_extra={"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}},
                 responses=DENIED)
    async def import_register(request: Request, principal: Registrar) -> dict[str, int]:
        raw = await request.body()
        if len(raw) > MAX_CSV_BYTES:
            raise HTTPException(413, f"register larger than {MAX_CSV_BYTES} bytes")
        try:
            assets = parse_assets(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise HTTPException(422, "the register must be UTF-8 text") from None
        except AssetCsvError as exc:
            raise HTTPException(422, str(exc)) from None
        store = request.app.state.notifier.store.timers
        for asset in assets:
            authorize_asset(request, principal, asset)
            if (earlier := await store.get_asset(asset.asset_id)) is not None:
                authorize_asset(request, principal, earlier)
        return {"imported": await import_assets(request.app.state.notifier.deps, assets)}

    @router.post("/{asset_id}/done", summary="Record that the inspection or task was done", response_model=AssetOut,
                 responses=DENIED)
    async def done(request: Request, principal: Staff, asset_id: Annotated[str, Path(max_length=100)],
                   body: Annotated[DoneIn, Body()]) -> AssetOut:
        await _asset_for(request, principal, asset_id)
        moved = await record_done(request.app.state.notifier.deps, asset_id, body.done_on)
        if moved is None:
            raise HTTPException(404, f"no asset {asset_id}")
        return await _out(request, moved)

    @router.get("/{asset_id}", summary="An asset, its due date and its reminders", response_model=AssetOut,
                responses=DENIED)
    async def get(request: Request, principal: Staff, asset_id: Annotated[str, Path(max_length=100)]) -> AssetOut:
        return await _out(request, await _asset_for(request, principal, asset_id))

    return router
