"""The organisation tree as reports needs it: names of nodes and the parents of a place."""

from __future__ import annotations

from dataclasses import dataclass, field

LEVELS = ("district", "street", "community", "compound", "grid")


@dataclass(frozen=True)
class OrgIndex:
    """Node id → name and level, child → parent; units' names; empty when no file was given."""

    names: dict[str, str] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)

    def name(self, node_id: str | None) -> str:
        """The display name of a node or unit, or its id when unknown."""
        if not node_id:
            return "未知"
        return self.names.get(node_id, node_id)

    def path(self, *, district: str | None, street: str | None, community: str | None,
             compound: str | None, grid: str | None) -> dict[str, str | None]:
        """Fill the coarser levels a place does not carry from the tree (events may carry only ids below)."""
        path = {"district": district, "street": street, "community": community,
                "compound": compound, "grid": grid}
        for child_level, parent_level in zip(LEVELS[:0:-1], LEVELS[-2::-1], strict=True):
            child = path[child_level]
            if child and not path[parent_level]:
                path[parent_level] = self.parents.get(child)
        return path


def org_from_tree(tree: dict) -> OrgIndex:
    """Build the index from the parsed organisation file (deploy/demo/org.yaml layout)."""
    names: dict[str, str] = {}
    levels: dict[str, str] = {}
    parents: dict[str, str] = {}

    def add(node: dict, level: str, parent: str | None) -> None:
        names[node["id"]] = node.get("name", node["id"])
        levels[node["id"]] = level
        if parent:
            parents[node["id"]] = parent
        for key in ("centre", "secretary", "police", "volunteers", "property", "building_lead", "worker"):
            unit = node.get(key)
            if isinstance(unit, dict) and "id" in unit:
                names[unit["id"]] = str(unit.get("name", unit["id"]))
        for cadre in node.get("cadres", []) or []:
            names[cadre["id"]] = cadre.get("name", cadre["id"])

    district = tree.get("district") or {}
    if district:
        add(district, "district", None)
    for street in district.get("streets", []) or []:
        add(street, "street", district.get("id"))
        for community in street.get("communities", []) or []:
            add(community, "community", street["id"])
            for compound in community.get("compounds", []) or []:
                add(compound, "compound", community["id"])
                for grid in compound.get("grids", []) or []:
                    add(grid, "grid", compound["id"])
    for dept in tree.get("departments", []) or []:
        names[dept["code"]] = dept.get("name", dept["code"])
    return OrgIndex(names=names, levels=levels, parents=parents)
