"""The case repository protocol both adapters implement (SQLite and MongoDB)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from contracts.envelope import Envelope
from router.domain.case import Case
from router.domain.duplicates import MAX_CANDIDATES, Candidate
from servicekit.outbox import OutboxStore


class ConcurrentUpdate(RuntimeError):
    """The case changed since it was read (version mismatch); read it again and retry."""


class CaseRepository(Protocol):
    """Cases with their outbox: every write stores the state change and its events atomically."""

    outbox: OutboxStore

    async def ensure_indexes(self) -> None:
        """Create tables/indexes (idempotent)."""
        ...

    async def create(self, case: Case, *, events: list[Envelope], event_id: str) -> bool:
        """Insert a new case; False when `event_id` (or the case) was already stored."""
        ...

    async def update(self, case: Case, *, events: list[Envelope], event_id: str | None) -> bool:
        """Store a changed case if its version is unchanged (then version + 1); False when event_id was applied.

        Raises ConcurrentUpdate when another writer got there first.
        """
        ...

    async def get(self, case_id: str) -> Case | None:
        """One case by id."""
        ...

    async def find_by_request(self, request_id: str) -> Case | None:
        """The case a request belongs to."""
        ...

    async def list_cases(self, *, community_id: str | None = None, status: str | None = None,
                         unit_id: str | None = None, dept_code: str | None = None,
                         needs_triage: bool | None = None, limit: int = 50,
                         community_ids: Sequence[str] | None = None) -> list[Case]:
        """Cases matching every given filter, newest first."""
        ...

    async def open_in_compound(self, compound_id: str, since: datetime, *, building: str | None = None,
                               limit: int = MAX_CANDIDATES) -> list[Candidate]:
        """Duplicate candidates: open cases of a compound submitted since `since`, newest first, at most `limit`.

        With a building, only the cases of that building and those that name none.
        """
        ...

    async def triage_decisions(self, limit: int = 1000) -> list[Case]:
        """Cases with a manual triage decision (for retraining), newest first."""
        ...

    async def request_known(self, *, event_id: str, request_id: str) -> bool:
        """True when the event was already applied or the request already belongs to a case (one lookup)."""
        ...

    async def was_applied(self, event_id: str) -> bool:
        """True when an event was already applied to some case."""
        ...

    async def applied_with_prefix(self, prefix: str) -> bool:
        """True when some applied event id starts with `prefix` (an idempotency key used with another body)."""
        ...

    async def ping(self) -> bool:
        """True when the store answers."""
        ...

    async def close(self) -> None:
        """Release the connection."""
        ...
