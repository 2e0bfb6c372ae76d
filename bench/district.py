"""A district of realistic breadth for the end-to-end run: the demo district with each compound copied K times.

The demo organisation has nine compounds. At 200 requests/s for a minute that would put over a thousand
open cases in each compound, which no district sees; duplicate detection looks at a compound's open
cases, so the demo file would measure an unrealistic concentration. The copies keep the streets,
communities, units, departments and routing rules of the demo; each copied compound, grid and unit gets
its own id (suffix `-k<j>`).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from bench.payloads import ORG_FILE

UNIT_KEYS = ("property", "building_lead")


def _copy_compound(compound: dict[str, Any], j: int) -> dict[str, Any]:
    clone = copy.deepcopy(compound)
    clone["id"] = f"{compound['id']}-k{j}"
    clone["name"] = f"{compound.get('name', compound['id'])}（{j}期）"
    for key in UNIT_KEYS:
        if isinstance(clone.get(key), dict):
            clone[key]["id"] = f"{clone[key]['id']}-k{j}"
    for grid in clone.get("grids", []) or []:
        grid["id"] = f"{grid['id']}-k{j}"
        if isinstance(grid.get("worker"), dict):
            grid["worker"]["id"] = f"{grid['worker']['id']}-k{j}"
    return clone


def scaled_org(copies: int, source: Path = ORG_FILE) -> dict[str, Any]:
    """The demo organisation with `copies` copies of every compound (the originals kept as copy 0)."""
    org = yaml.safe_load(source.read_text(encoding="utf-8"))
    for street in org["district"]["streets"]:
        for community in street["communities"]:
            originals = community.get("compounds", []) or []
            community["compounds"] = [*originals, *(_copy_compound(c, j) for j in range(1, copies) for c in originals)]
    return org


def write_scaled_org(path: Path, copies: int) -> Path:
    """Write the scaled organisation file and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(scaled_org(copies), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def org_env(path: Path) -> dict[str, str]:
    """Point the services that read the organisation at the file."""
    return {"INTAKE_ORG_FILE": str(path), "ROUTER_ORG_FILE": str(path), "REPORTS_ORG_FILE": str(path)}
