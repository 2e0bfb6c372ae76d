"""The request repository: one protocol, two adapters (SQLite default, MongoDB)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import TypeAdapter

from contracts.envelope import Envelope
from intake.domain.model import IntakeRequest
from servicekit.outbox import OutboxStore

_ADAPTER: TypeAdapter[IntakeRequest] = TypeAdapter(IntakeRequest)


class DuplicateRequest(Exception):
    """Another request already holds this idempotency key or external order number."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class RequestQuery:
    """Filters for listing requests (Open311 GET requests)."""

    ids: tuple[str, ...] = ()
    sub_category: str | None = None
    statuses: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    limit: int = 200


def to_doc(req: IntakeRequest) -> dict[str, Any]:
    """The stored form: JSON-compatible, datetimes as ISO strings."""
    return dict(_ADAPTER.dump_python(req, mode="json"))


def from_doc(doc: dict[str, Any]) -> IntakeRequest:
    """Back from the stored form."""
    doc = {k: v for k, v in doc.items() if k not in ("_id", "outbox", "outbox_pending", "submitted_key")}
    return _ADAPTER.validate_python(doc)


def time_key(moment: datetime | None) -> str | None:
    """A fixed-width UTC string that sorts like the time (for range queries in both stores)."""
    if moment is None:
        return None
    from datetime import UTC

    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RequestRepository(Protocol):
    """What the handlers need from the store."""

    outbox: OutboxStore

    async def reserve_sequences(self, day: str, count: int) -> int:
        """Atomically add `count` to the day's counter; return the last number of the reserved block."""
        ...

    async def add(self, req: IntakeRequest, events: list[Envelope]) -> None:
        """Store a new request and its events in one atomic write; DuplicateRequest on a taken key."""
        ...

    async def save(self, req: IntakeRequest, *, expected_version: int, events: list[Envelope]) -> bool:
        """Replace the request if still at expected_version (bumping it) with its events; False if not."""
        ...

    async def get(self, request_id: str) -> IntakeRequest | None:
        """One request by id."""
        ...

    async def by_tracking_code(self, code: str) -> IntakeRequest | None:
        """One request by its tracking code."""
        ...

    async def by_idempotency_key(self, key: str) -> IntakeRequest | None:
        """The request created under this Idempotency-Key."""
        ...

    async def by_external_ref(self, ref: str) -> IntakeRequest | None:
        """The request imported under this external order number."""
        ...

    async def by_case(self, case_id: str) -> list[IntakeRequest]:
        """Requests attached to a case."""
        ...

    async def find(self, query: RequestQuery) -> list[IntakeRequest]:
        """Requests matching the filters, newest first."""
        ...

    async def closed_with_contact_before(self, cutoff: datetime, limit: int = 500) -> list[IntakeRequest]:
        """Closed requests that still hold contact data and closed before cutoff."""
        ...

    async def park_event(self, case_id: str, event_id: str, body: str) -> None:
        """Keep an event about a case not linked yet (a replay of the same id is ignored)."""
        ...

    async def parked(self, case_id: str) -> list[tuple[str, str]]:
        """The parked events of a case as (event id, body), oldest first; they stay until forgotten."""
        ...

    async def forget_parked(self, event_ids: list[str]) -> None:
        """Remove parked events once they were applied."""
        ...

    async def count(self) -> int:
        """How many requests are stored."""
        ...

    async def ping(self) -> bool:
        """True when the store answers."""
        ...
