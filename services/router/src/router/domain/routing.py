"""Choosing tier, units and departments for a classified case in the organisation tree."""

from __future__ import annotations

from dataclasses import dataclass

from router.domain.org import Community, Compound, Department, Organisation, Unit
from router.domain.rules import RouteRule


class UnknownPlace(ValueError):
    """The case's community is not in the organisation directory."""


@dataclass(frozen=True)
class RouteDecision:
    """Who handles the case: tier, units on the case (4+N), departments whistled, call-back, SLA."""

    tier: int
    units: tuple[Unit, ...]
    departments: tuple[Department, ...]
    callback: bool
    sla_policy: str


def locate(org: Organisation, community_id: str, compound_id: str | None) -> tuple[Community, Compound | None]:
    """The community and (when known and inside it) the compound."""
    community = org.communities.get(community_id)
    if community is None:
        raise UnknownPlace(f"community {community_id!r} is not in the organisation directory")
    found = org.compounds.get(compound_id or "")
    return community, found[1] if found and found[0].community_id == community_id else None


def grid_worker(compound: Compound | None, grid_id: str | None, building: str | None) -> Unit | None:
    """The worker of the named grid, of the grid covering the building, or of the compound's first grid."""
    if compound is None or not compound.grids:
        return None
    for grid in compound.grids:
        if grid.grid_id == grid_id or (building and building in grid.buildings):
            return grid.worker
    return compound.grids[0].worker


def units_of_kind(org: Organisation, kind: str, community: Community, compound: Compound | None,
                  place: dict[str, str | None]) -> list[Unit]:
    """The units of one kind for this place (empty when the place has none, e.g. no 物业)."""
    street = org.streets.get(community.street_id)
    options: dict[str, list[Unit | None]] = {
        "grid_worker": [grid_worker(compound, place.get("grid_id"), place.get("building"))],
        "property": [compound.property if compound else None],
        "building_lead": [compound.building_lead if compound else None],
        "volunteer": [community.volunteers],
        "police": [community.police],
        "cadre": [community.cadres[0] if community.cadres else None],
        "secretary": [community.secretary],
        "street_centre": [street.centre if street else None],
    }
    return [u for u in options.get(kind, []) if u is not None]


def pick_departments(org: Organisation, rule: RouteRule, sub_category: str | None,
                     domain: str | None) -> tuple[Department, ...]:
    """Departments to whistle: the rule's explicit list, else those handling the sub-category or domain."""
    if not rule.whistle and rule.tier < 3:
        return ()
    if rule.departments:
        return tuple(org.departments[c] for c in rule.departments if c in org.departments)
    found = org.departments_handling(sub_category) or org.departments_for_domain(domain)
    return tuple(found)


def decide_route(org: Organisation, rule: RouteRule, place: dict[str, str | None],
                 sub_category: str | None, domain: str | None = None) -> RouteDecision:
    """Resolve a rule to concrete units and departments; a place lacking a unit falls back to the cadre."""
    community, compound = locate(org, str(place.get("community_id")), place.get("compound_id"))
    units: list[Unit] = []
    for kind in rule.units:
        units.extend(u for u in units_of_kind(org, kind, community, compound, place) if u not in units)
    if not units:
        units = units_of_kind(org, "cadre", community, compound, place) or \
            units_of_kind(org, "secretary", community, compound, place)
    departments = pick_departments(org, rule, sub_category, domain)
    return RouteDecision(rule.tier, tuple(units), departments, rule.callback, rule.sla_policy)


def tier_units(tier: int) -> tuple[str, ...]:
    """The unit kinds that lead a tier when a case climbs (T1 grid → T2 cadre → T3 secretary → T4 street)."""
    return {1: ("grid_worker",), 2: ("cadre", "grid_worker"), 3: ("secretary", "cadre"),
            4: ("street_centre", "secretary")}[tier]
