"""The directory from the organisation file (communities, staff, street centres) and a contacts file (endpoints)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from notifier.domain.directory import Community, Directory
from notifier.domain.notifications import Endpoint


class DirectoryFileError(ValueError):
    """An organisation or contacts file that cannot be used; names the file and the field."""

    def __init__(self, path: Path | str, field: str, problem: str) -> None:
        super().__init__(f"{path}: {field}: {problem}")


def _id(entry: Any) -> str | None:
    return str(entry["id"]) if isinstance(entry, Mapping) and entry.get("id") else None


def _grid_workers(community: Mapping[str, Any]) -> Iterable[str]:
    for compound in community.get("compounds") or []:
        for grid in compound.get("grids") or []:
            worker = _id(grid.get("worker"))
            if worker:
                yield worker


def communities_from_org(data: Any) -> dict[str, Community]:
    """Each community's secretary, cadres and grid workers, and its street's centre."""
    found: dict[str, Community] = {}
    district = (data or {}).get("district") or {}
    for street in district.get("streets") or []:
        centre = _id(street.get("centre"))
        for c in street.get("communities") or []:
            cadres = [u for u in (_id(x) for x in c.get("cadres") or []) if u]
            found[str(c["id"])] = Community(
                community_id=str(c["id"]), street_id=_id(street), secretary=_id(c.get("secretary")),
                staff=tuple(dict.fromkeys([*cadres, *_grid_workers(c)])), street_centre=centre)
    return found


def _endpoints(value: Any, *, field: str, source: Path | str) -> tuple[Endpoint, ...]:
    if not isinstance(value, list):
        raise DirectoryFileError(source, field, "expected a list of {channel, address}")
    try:
        return tuple(Endpoint(str(e["channel"]), str(e["address"])) for e in value)
    except (KeyError, TypeError, ValueError) as exc:
        raise DirectoryFileError(source, field, str(exc)) from None


def load_directory(*, org_file: Path | None, contacts_file: Path | None) -> Directory:
    """Both files are optional: without contacts nobody has an endpoint and nothing is sent."""
    communities = communities_from_org(yaml.safe_load(org_file.read_text(encoding="utf-8"))) if org_file else {}
    units: dict[str, tuple[Endpoint, ...]] = {}
    departments: dict[str, tuple[Endpoint, ...]] = {}
    if contacts_file:
        data = yaml.safe_load(contacts_file.read_text(encoding="utf-8")) or {}
        if not isinstance(data, Mapping) or set(data) - {"units", "departments"}:
            raise DirectoryFileError(contacts_file, "(top level)", "expected a mapping with units and departments")
        units = {str(k): _endpoints(v, field=f"units.{k}", source=contacts_file)
                 for k, v in (data.get("units") or {}).items()}
        departments = {str(k): _endpoints(v, field=f"departments.{k}", source=contacts_file)
                       for k, v in (data.get("departments") or {}).items()}
    return Directory(endpoints=units, communities=communities, departments=departments)
