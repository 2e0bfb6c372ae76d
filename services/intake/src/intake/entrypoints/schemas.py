"""HTTP boundary models of the resident API (strict types, unknown fields refused)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict
from pydantic_core import PydanticCustomError

from contracts.channels import Channel
from intake.domain.text import clean, has_visible
from intake.domain.validation import MAX_TEXT

STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _visible(value: str) -> str:
    value = clean(value)
    if not has_visible(value):
        raise PydanticCustomError("string_too_short", "no visible characters")
    return value


def _cleaned(value: str | None) -> str | None:
    return clean(value).strip() or None if value is not None else None


Visible = Annotated[str, AfterValidator(_visible)]
Cleaned = AfterValidator(_cleaned)
StrictBool = Annotated[bool, Strict()]
StrictFloat = Annotated[float, Strict()]


class LocationIn(BaseModel):
    """Where inside the compound, or an address, or coordinates."""

    model_config = STRICT

    building: str | None = Field(None, max_length=50, examples=["3"])
    unit: str | None = Field(None, max_length=50, examples=["2"])
    room: str | None = Field(None, max_length=50, examples=["502"])
    address: Annotated[str | None, Cleaned] = Field(None, max_length=200)
    lat: StrictFloat | None = Field(None, ge=-90, le=90)
    lon: StrictFloat | None = Field(None, ge=-180, le=180)


class ContactIn(BaseModel):
    """How to call the resident back (encrypted at rest, masked on display)."""

    model_config = STRICT

    name: Annotated[str | None, Cleaned] = Field(None, max_length=50)
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9\- ]{5,19}$", examples=["13812341234"])
    preferred_time: str | None = Field(None, max_length=100, examples=["工作日晚上"])


class CategoryIn(BaseModel):
    """A class and sub-category code from GET /v1/categories."""

    model_config = STRICT

    class_code: str = Field(max_length=40, examples=["safety"])
    sub_category: str | None = Field(None, max_length=40, examples=["fire"])


class SubmitRequestIn(BaseModel):
    """POST /v1/requests body."""

    model_config = STRICT

    compound_id: str | None = Field(None, max_length=100, examples=["qc-jh-jh-hy"])
    compound_token: str | None = Field(None, max_length=300, description="signed token from the QR code")
    text: Visible = Field(min_length=1, max_length=MAX_TEXT, examples=["3号楼楼道里堆满杂物，堵住了消防通道"])
    title: Annotated[str | None, Cleaned] = Field(None, max_length=200)
    location: LocationIn | None = None
    contact: ContactIn | None = None
    anonymous: StrictBool = False
    category: CategoryIn | None = None
    channel: Channel = Channel.API
    photos: list[str] = Field(default_factory=list, max_length=3, description="photo ids from POST /v1/photos")
    external_ref: str | None = Field(None, max_length=100, description="e.g. a 12345 order number (staff only)")
    external_deadline: datetime | None = Field(None, description="deadline set by the external system")


class SubmitRequestOut(BaseModel):
    """Answer to a new request: keep the access token, it is shown only once."""

    id: str
    tracking_code: str
    access_token: str
    status: str
    status_label: str
    status_url: str


class FeedbackIn(BaseModel):
    """POST /v1/requests/{id}/feedback body."""

    model_config = STRICT

    satisfied: StrictBool
    rating: int | None = Field(None, ge=1, le=5)
    comment: Annotated[str | None, Cleaned] = Field(None, max_length=1000)


class CancelIn(BaseModel):
    """POST /v1/requests/{id}/cancel body."""

    model_config = STRICT

    reason: Annotated[str | None, Cleaned] = Field(None, max_length=500)
