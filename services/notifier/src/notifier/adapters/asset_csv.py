"""Importing asset registers from CSV; errors name the row and the column."""

from __future__ import annotations

import csv
import io
from datetime import date

from notifier.domain.assets import DEFAULT_LEAD_DAYS, Asset

REQUIRED = ("asset_id", "kind", "title", "community_id", "last_done")
OPTIONAL = ("interval_months", "lead_days", "unit_ids", "building")


class AssetCsvError(ValueError):
    """A register that cannot be imported."""


def parse_assets(text: str) -> list[Asset]:
    """Parse a register: asset_id,kind,title,community_id,last_done[,interval_months,lead_days,unit_ids,building]."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise AssetCsvError(f"missing column(s): {', '.join(missing)}; expected {', '.join(REQUIRED + OPTIONAL)}")
    assets, seen = [], set()
    for row_no, row in enumerate(reader, start=2):
        asset = _asset(row, row_no)
        if asset.asset_id in seen:
            raise AssetCsvError(f"row {row_no}: asset_id {asset.asset_id!r} appears twice")
        seen.add(asset.asset_id)
        assets.append(asset)
    if not assets:
        raise AssetCsvError("the register has no rows")
    return assets


def _asset(row: dict[str, str | None], row_no: int) -> Asset:
    def cell(name: str) -> str:
        return (row.get(name) or "").strip()

    for name in REQUIRED:
        if not cell(name):
            raise AssetCsvError(f"row {row_no}: column {name} is empty")
    try:
        last_done = date.fromisoformat(cell("last_done"))
    except ValueError:
        raise AssetCsvError(f"row {row_no}: last_done {cell('last_done')!r} is not a date like 2025-04-30") from None
    kind = cell("kind")
    numbers = {}
    for name, default in (("interval_months", 12), ("lead_days", DEFAULT_LEAD_DAYS.get(kind, 30))):
        raw = cell(name)
        if raw and not (raw.isdigit() and int(raw) > 0):
            raise AssetCsvError(f"row {row_no}: {name} {raw!r} is not a positive whole number")
        numbers[name] = int(raw) if raw else default
    units = tuple(u for u in cell("unit_ids").replace(";", " ").replace("；", " ").split() if u)
    return Asset(asset_id=cell("asset_id"), kind=kind, title=cell("title"), community_id=cell("community_id"),
                 last_done=last_done, unit_ids=units, building=cell("building") or None, **numbers)
