"""The organisation directory as org paths for authorisation (servicekit's OrgIndex) and a case's place in it."""

from __future__ import annotations

from typing import Any

from router.domain.case import Case
from router.domain.org import Organisation, Unit
from servicekit.auth.orgindex import OrgIndex
from servicekit.auth.principal import Place


def _unit(unit: Unit | None) -> dict[str, str] | None:
    return {"id": unit.unit_id, "name": unit.name} if unit else None


def org_tree(org: Organisation) -> dict[str, Any]:
    """The domain organisation written back in the organisation file's shape."""
    streets = []
    for street in org.streets.values():
        communities = []
        for community in (org.communities[c] for c in street.community_ids):
            compounds = [{"id": p.compound_id, "property": _unit(p.property), "building_lead": _unit(p.building_lead),
                          "grids": [{"id": g.grid_id, "worker": _unit(g.worker), "buildings": list(g.buildings)}
                                    for g in p.grids]} for p in community.compounds]
            communities.append({
                "id": community.community_id, "secretary": _unit(community.secretary),
                "cadres": [_unit(u) for u in community.cadres], "police": _unit(community.police),
                "volunteers": _unit(community.volunteers), "compounds": compounds})
        streets.append({"id": street.street_id, "centre": _unit(street.centre), "communities": communities})
    return {"district": {"id": org.district_id, "streets": streets},
            "departments": [{"code": code} for code in org.departments]}


def org_index(org: Organisation) -> OrgIndex:
    """The paths of every node and unit of the organisation."""
    return OrgIndex.from_tree(org_tree(org))


def case_place(index: OrgIndex, case: Case) -> Place:
    """Where a case is: community, compound and the grid the router assigns by (named grid, building, first)."""
    place = case.place
    return index.place(community_id=case.community_id, compound_id=place.get("compound_id"),
                       grid_id=place.get("grid_id"), building=place.get("building"))
