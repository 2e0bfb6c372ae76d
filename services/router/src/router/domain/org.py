"""The organisation tree (district → street → community → compound → grid) and its units; pure data."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Unit:
    """Anyone who can be assigned: a grid worker, 物业, cadre, secretary, street centre …"""

    unit_id: str
    kind: str
    name: str
    phone: str | None = None


@dataclass(frozen=True)
class Grid:
    """A grid and its worker; `buildings` lists the building numbers it covers."""

    grid_id: str
    name: str
    worker: Unit
    buildings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compound:
    """A residential compound (小区) with its property company, building lead and grids."""

    compound_id: str
    name: str
    grids: tuple[Grid, ...]
    property: Unit | None = None
    building_lead: Unit | None = None


@dataclass(frozen=True)
class Community:
    """A community (社区/居委) with its secretary, cadres, police officer, volunteers and compounds."""

    community_id: str
    name: str
    street_id: str
    district_id: str
    compounds: tuple[Compound, ...]
    secretary: Unit | None = None
    cadres: tuple[Unit, ...] = ()
    police: Unit | None = None
    volunteers: Unit | None = None


@dataclass(frozen=True)
class Street:
    """A street or town (街道/镇) and its grid centre."""

    street_id: str
    name: str
    centre: Unit | None
    community_ids: tuple[str, ...]


@dataclass(frozen=True)
class Department:
    """A department system that can be whistled; `handles` lists sub-category codes."""

    code: str
    name: str
    domains: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    phone: str | None = None


@dataclass(frozen=True)
class Organisation:
    """One district's directory with lookups by id."""

    district_id: str
    district_name: str
    streets: dict[str, Street]
    communities: dict[str, Community]
    departments: dict[str, Department]
    version: str = "1"
    compounds: dict[str, tuple[Community, Compound]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for community in self.communities.values():
            for compound in community.compounds:
                self.compounds[compound.compound_id] = (community, compound)

    def departments_handling(self, sub_category: str | None) -> list[Department]:
        """Departments whose `handles` list includes the sub-category, in file order."""
        if not sub_category:
            return []
        return [d for d in self.departments.values() if sub_category in d.handles]

    def departments_for_domain(self, domain: str | None) -> list[Department]:
        """Departments that cover a department domain (e.g. 城乡建设)."""
        if not domain:
            return []
        return [d for d in self.departments.values() if domain in d.domains]

    def all_units(self) -> dict[str, Unit]:
        """Every unit by id, departments included (kind `department`)."""
        units: dict[str, Unit] = {}
        for street in self.streets.values():
            if street.centre:
                units[street.centre.unit_id] = street.centre
        for c in self.communities.values():
            for unit in (c.secretary, c.police, c.volunteers, *c.cadres):
                if unit:
                    units[unit.unit_id] = unit
            for compound in c.compounds:
                for unit in (compound.property, compound.building_lead, *(g.worker for g in compound.grids)):
                    if unit:
                        units[unit.unit_id] = unit
        for d in self.departments.values():
            units[f"dept:{d.code}"] = Unit(f"dept:{d.code}", "department", d.name, d.phone)
        return units
