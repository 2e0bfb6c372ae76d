"""The compounds residents can report from, read from the organisation tree (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Grid:
    """A grid inside a compound and the buildings it covers."""

    id: str
    name: str
    buildings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compound:
    """A residential compound (小区) with its place in the tree."""

    id: str
    name: str
    community_id: str
    community_name: str
    street_id: str
    street_name: str
    district_id: str
    grids: tuple[Grid, ...] = field(default_factory=tuple)

    def grid_for(self, building: str | None) -> str | None:
        """The grid covering a building; the only grid when there is one; else unknown."""
        if building:
            wanted = building.strip().removesuffix("号楼").removesuffix("栋").removesuffix("幢")
            for grid in self.grids:
                if wanted in grid.buildings:
                    return grid.id
        return self.grids[0].id if len(self.grids) == 1 else None


@dataclass(frozen=True)
class Directory:
    """Every compound by id."""

    compounds: dict[str, Compound]

    def get(self, compound_id: str) -> Compound | None:
        """The compound or None."""
        return self.compounds.get(compound_id)


def parse_directory(tree: dict[str, Any]) -> Directory:
    """Build the directory from the parsed org.yaml tree."""
    district = tree["district"]
    compounds: dict[str, Compound] = {}
    for street in district.get("streets", []):
        for community in street.get("communities", []):
            for comp in community.get("compounds", []):
                grids = tuple(
                    Grid(g["id"], g.get("name", g["id"]), tuple(str(b) for b in g.get("buildings", [])))
                    for g in comp.get("grids", []))
                compounds[comp["id"]] = Compound(
                    id=comp["id"], name=comp["name"], community_id=community["id"],
                    community_name=community["name"], street_id=street["id"], street_name=street["name"],
                    district_id=district["id"], grids=grids)
    return Directory(compounds)
