"""Value objects shared by several event payloads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Place(BaseModel):
    """Where in the organisation tree a request or case sits (ids only, no personal data)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    district_id: str | None = None
    street_id: str | None = None
    community_id: str
    compound_id: str | None = None
    grid_id: str | None = None
    building: str | None = Field(default=None, max_length=50)
    unit: str | None = Field(default=None, max_length=50)
    room: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=200)
    lat: float | None = None
    lon: float | None = None


class CategoryRef(BaseModel):
    """A class and sub-category by code, and the department domain when known."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    class_code: str
    sub_category: str | None = None
    domain: str | None = Field(default=None, description="department domain, e.g. 城乡建设")


class UnitRef(BaseModel):
    """A unit that can be assigned: grid worker, 物业, cadre, department …"""

    model_config = ConfigDict(extra="ignore", frozen=True)

    unit_id: str
    kind: str = Field(description="grid_worker, property, building_lead, volunteer, police, cadre, "
                      "secretary, street_centre, department")
    name: str


class Actor(BaseModel):
    """Who caused a transition: a staff member, a department system, the resident or the platform."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: str = Field(description="staff, department, resident, system")
    id: str
    name: str | None = None


class Contact(BaseModel):
    """A resident's contact, only ever sent to the unit that must call back."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str | None = None
    phone: str | None = None
    preferred_time: str | None = None
