"""The event envelope: CloudEvents attribute names around a typed, versioned payload."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class EventData(BaseModel):
    """Base of every event payload; subclasses name their CloudEvents `type`."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    event_type: ClassVar[str] = ""


class Envelope(BaseModel):
    """A CloudEvents 1.0 envelope (structured mode) with correlation and causation ids."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1, max_length=100)
    source: str = Field(min_length=1, max_length=200, description="producing service, e.g. /whistle/intake")
    type: str = Field(min_length=1, max_length=100, description="event type incl. version, e.g. request.submitted.v1")
    time: AwareDatetime
    subject: str | None = Field(default=None, max_length=200, description="the case or request the event is about")
    datacontenttype: Literal["application/json"] = "application/json"
    correlationid: str | None = Field(default=None, max_length=100)
    causationid: str | None = Field(default=None, max_length=100)
    data: dict[str, Any]

    def payload(self) -> EventData:
        """Validate `data` against the model registered for this event's type."""
        from contracts.registry import model_for

        return model_for(self.type).model_validate(self.data)


def new_event(
    data: EventData,
    *,
    source: str,
    subject: str | None,
    now: datetime | None = None,
    cause: Envelope | None = None,
    event_id: str | None = None,
) -> Envelope:
    """Wrap a payload in a fresh envelope; `cause` carries the correlation forward."""
    own_id = event_id or str(uuid.uuid4())
    return Envelope(
        id=own_id,
        source=source,
        type=data.event_type,
        time=now or datetime.now(UTC),
        subject=subject,
        correlationid=(cause.correlationid or cause.id) if cause else own_id,
        causationid=cause.id if cause else None,
        data=data.model_dump(mode="json"),
    )
