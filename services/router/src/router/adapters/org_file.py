"""The organisation file (YAML/JSON): schema, cross-checks with line numbers, and the domain tree."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from contracts.categories import BY_CODE
from router.adapters.yaml_files import FileInvalid, error_at, parse_text
from router.domain.org import Community, Compound, Department, Grid, Organisation, Street, Unit

ID = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UnitIn(_Model):
    id: str = ID
    name: str = Field(min_length=1, max_length=100)
    phone: str | None = None


class GridIn(_Model):
    id: str = ID
    name: str = Field(min_length=1)
    worker: UnitIn
    buildings: list[str] = []


class CompoundIn(_Model):
    id: str = ID
    name: str = Field(min_length=1)
    property: UnitIn | None = None
    building_lead: UnitIn | None = None
    grids: list[GridIn] = Field(min_length=1)


class CommunityIn(_Model):
    id: str = ID
    name: str = Field(min_length=1)
    secretary: UnitIn
    cadres: list[UnitIn] = Field(min_length=1)
    police: UnitIn | None = None
    volunteers: UnitIn | None = None
    compounds: list[CompoundIn] = []


class StreetIn(_Model):
    id: str = ID
    name: str = Field(min_length=1)
    centre: UnitIn
    communities: list[CommunityIn] = []


class DistrictIn(_Model):
    id: str = ID
    name: str = Field(min_length=1)
    streets: list[StreetIn] = Field(min_length=1)


class DepartmentIn(_Model):
    code: str = Field(min_length=1, max_length=50, pattern=r"^[a-z0-9_-]+$")
    name: str = Field(min_length=1)
    domains: list[str] = []
    handles: list[str] = []
    phone: str | None = None


class OrgFile(_Model):
    version: int | str = 1
    district: DistrictIn
    departments: list[DepartmentIn] = []


def _unit(u: UnitIn | None, kind: str) -> Unit | None:
    return Unit(u.id, kind, u.name, u.phone) if u else None


def _check(doc: OrgFile, text: str, name: str) -> list[str]:
    """Cross-field checks: unique ids, known sub-category codes."""
    errors: list[str] = []
    seen: set[str] = set()

    def once(value: str, loc: tuple[int | str, ...]) -> None:
        if value in seen:
            errors.append(error_at(name, text, loc, f"duplicate id {value!r}"))
        seen.add(value)

    for si, s in enumerate(doc.district.streets):
        once(s.id, ("district", "streets", si, "id"))
        for ci, c in enumerate(s.communities):
            once(c.id, ("district", "streets", si, "communities", ci, "id"))
            for pi, p in enumerate(c.compounds):
                once(p.id, ("district", "streets", si, "communities", ci, "compounds", pi, "id"))
    codes: set[str] = set()
    for di, d in enumerate(doc.departments):
        if d.code in codes:
            errors.append(error_at(name, text, ("departments", di, "code"), f"duplicate code {d.code!r}"))
        codes.add(d.code)
        for hi, h in enumerate(d.handles):
            if h not in BY_CODE:
                errors.append(error_at(name, text, ("departments", di, "handles", hi), f"unknown sub-category {h!r}"))
    return errors


def to_domain(doc: OrgFile) -> Organisation:
    """Build the domain tree from a validated file."""
    streets: dict[str, Street] = {}
    communities: dict[str, Community] = {}
    for s in doc.district.streets:
        for c in s.communities:
            compounds = tuple(Compound(
                p.id, p.name, tuple(Grid(g.id, g.name, Unit(g.worker.id, "grid_worker", g.worker.name, g.worker.phone),
                                         tuple(g.buildings)) for g in p.grids),
                _unit(p.property, "property"), _unit(p.building_lead, "building_lead")) for p in c.compounds)
            communities[c.id] = Community(
                c.id, c.name, s.id, doc.district.id, compounds, _unit(c.secretary, "secretary"),
                tuple(Unit(u.id, "cadre", u.name, u.phone) for u in c.cadres), _unit(c.police, "police"),
                _unit(c.volunteers, "volunteer"))
        streets[s.id] = Street(s.id, s.name, _unit(s.centre, "street_centre"), tuple(c.id for c in s.communities))
    departments = {d.code: Department(d.code, d.name, tuple(d.domains), tuple(d.handles), d.phone)
                   for d in doc.departments}
    return Organisation(doc.district.id, doc.district.name, streets, communities, departments, str(doc.version))


def parse_org(text: str, *, name: str) -> Organisation:
    """Validate an organisation document; FileInvalid lists every problem with file, line and field."""
    doc = parse_text(text, OrgFile, name=name)
    errors = _check(doc, text, name)
    if errors:
        raise FileInvalid(errors)
    return to_domain(doc)


def load_org(path: Path) -> Organisation:
    """Load and validate the organisation file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileInvalid([f"{path}:0: cannot read: {exc.strerror}"]) from None
    return parse_org(text, name=str(path))
