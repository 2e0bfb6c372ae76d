"""Organisation paths from the shared organisation file: node and unit ids to district → … → grid paths."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from servicekit.auth.principal import Place
from servicekit.auth.roles import SCOPE_LEVEL, Role

LEVELS = ("district", "street", "community", "compound", "grid")
_UNIT_KEYS = {"street": ("centre",), "community": ("secretary", "cadres", "police", "volunteers"),
              "compound": ("property", "building_lead"), "grid": ("worker",)}
_CHILDREN = {"district": "streets", "street": "communities", "community": "compounds", "compound": "grids"}


class ScopeInvalid(ValueError):
    """A role was given a scope node that does not exist or sits at the wrong level."""


def _building(value: str) -> str:
    return value.strip().removesuffix("号楼").removesuffix("栋").removesuffix("幢")


@dataclass
class OrgIndex:
    """Every node's path, every unit's node, and how buildings map to grids."""

    district_id: str
    paths: dict[str, Place] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    unit_roles: dict[str, tuple[str, str]] = field(default_factory=dict)  # unit id -> (kind, name)
    buildings: dict[str, dict[str, str]] = field(default_factory=dict)
    grids: dict[str, tuple[str, ...]] = field(default_factory=dict)
    departments: tuple[str, ...] = ()

    @classmethod
    def from_file(cls, path: Path) -> OrgIndex:
        """Read the organisation YAML file."""
        return cls.from_tree(yaml.safe_load(path.read_text(encoding="utf-8")))

    @classmethod
    def from_tree(cls, tree: Mapping[str, Any]) -> OrgIndex:
        """Index the parsed organisation tree."""
        district = tree["district"]
        index = cls(district_id=str(district["id"]))
        index._walk(district, "district", ())
        index.departments = tuple(str(d["code"]) for d in tree.get("departments") or [])
        return index

    def _walk(self, node: Mapping[str, Any], level: str, parent: Place) -> None:
        node_id = str(node["id"])
        path = (*parent, node_id)
        self.paths[node_id], self.levels[node_id] = path, level
        for key in _UNIT_KEYS.get(level, ()):
            members = node.get(key) or []
            for unit in members if isinstance(members, list) else [members]:
                self.units[str(unit["id"])] = node_id
                self.unit_roles[str(unit["id"])] = (key, str(unit.get("name", unit["id"])))
        children = node.get(_CHILDREN.get(level, ""), []) or []
        if level == "compound":
            self.grids[node_id] = tuple(str(g["id"]) for g in children)
            self.buildings[node_id] = {_building(str(b)): str(g["id"]) for g in children
                                       for b in g.get("buildings", [])}
        next_level = LEVELS[LEVELS.index(level) + 1] if level != "grid" else None
        for child in children:
            if next_level:
                self._walk(child, next_level, path)

    def path(self, node_id: str | None) -> Place | None:
        """The path of a node id, or None when unknown."""
        return self.paths.get(node_id) if node_id else None

    def unit_path(self, unit_id: str) -> Place | None:
        """The path of the node a unit belongs to (departments, `dept:<code>`, have none)."""
        node = self.units.get(unit_id)
        return self.paths[node] if node else None

    def place(self, *, community_id: str | None, compound_id: str | None = None, grid_id: str | None = None,
              building: str | None = None) -> Place:
        """The deepest known path of a place; the grid is the named one, the building's, or the compound's first."""
        community = self.path(community_id)
        if community is None or self.levels[community[-1]] != "community":
            return ()
        compound = self.path(compound_id)
        if compound is None or compound[:-1] != community:
            return community
        grids = self.grids.get(compound[-1], ())
        grid = grid_id if grid_id in grids else None
        if grid is None and building:
            grid = self.buildings[compound[-1]].get(_building(building))
        grid = grid or (grids[0] if grids else None)
        return (*compound, grid) if grid else compound

    def scope_for(self, role: Role, node_id: str | None) -> Place:
        """The scope path for a role at a node; raises ScopeInvalid for an unknown node or a wrong level."""
        level = SCOPE_LEVEL[role]
        if level is None:
            return ()
        path = self.path(node_id)
        if path is None:
            raise ScopeInvalid(f"scope node {node_id!r} is not in the organisation")
        if self.levels[path[-1]] != level:
            raise ScopeInvalid(f"role {role} needs a {level} as scope, {node_id!r} is a {self.levels[path[-1]]}")
        return path

    def nodes_at(self, level: str, within: Place = ()) -> tuple[str, ...]:
        """Ids of the nodes of one level inside `within` (or the one above it when `within` is deeper)."""
        depth = LEVELS.index(level) + 1
        if len(within) >= depth:
            return (within[depth - 1],)
        return tuple(n for n, path in self.paths.items()
                     if self.levels[n] == level and path[:len(within)] == tuple(within))
