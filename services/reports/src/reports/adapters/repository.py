"""The repository protocol both stores implement, and the query shapes it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from contracts.envelope import Envelope
from reports.domain.facts import CaseFact
from reports.domain.rollups import BucketKey

ROLLUP_FILTERS = ("district", "street", "community", "compound", "grid", "class_code", "category", "unit")
ROLLUP_GROUPS = ("node", "class_code", "category", "unit", "day")
FACT_FILTERS = ("district_id", "street_id", "community_id", "compound_id", "grid_id", "class_code",
                "sub_category", "unit_id", "status", "channel")


@dataclass(frozen=True)
class RollupQuery:
    """Sum the measures of one level's rows of one grain, filtered by equality and a period range, grouped."""

    level: str = "district"
    grain: str = "day"
    where: dict[str, str] = field(default_factory=dict)
    day_from: str | None = None
    day_to: str | None = None
    group_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class FactQuery:
    """Select case facts by equality filters, a creation-time range (ISO UTC) and open/overdue flags."""

    where: dict[str, str] = field(default_factory=dict)
    created_from: str | None = None
    created_to: str | None = None
    open_only: bool = False
    text_only: bool = False
    limit: int = 1000
    offset: int = 0


class VersionConflict(Exception):
    """Another writer changed the fact since it was read; read again and retry."""


class ReportsRepository(Protocol):
    """Facts, rollups, hot issues and the outbox of one reports store."""

    async def ensure_indexes(self) -> None:
        """Create tables/collections and indexes."""
        ...

    async def get_fact(self, case_id: str) -> CaseFact | None:
        """The case's fact or None."""
        ...

    async def save_fact(self, fact: CaseFact, *, expected_version: int,
                        delta: dict[BucketKey, dict[str, int]], event: Envelope | None = None) -> None:
        """Store the fact if its stored version is still `expected_version` and add `delta` to the rollups.

        Raises VersionConflict otherwise; the fact and its rollup delta land together or not at all. `event`,
        when given, is also kept in the replay log (once per id; on SQLite in the same transaction).
        """
        ...

    async def rollup(self, query: RollupQuery) -> list[tuple[tuple[str, ...], dict[str, int]]]:
        """(group values, summed measures) per group; one row with () when not grouped."""
        ...

    async def facts(self, query: FactQuery) -> list[CaseFact]:
        """Facts matching the query, newest first."""
        ...

    async def count_facts(self, query: FactQuery) -> int:
        """How many facts match (ignoring limit and offset)."""
        ...

    async def save_hotspots(self, hotspots: list[dict[str, Any]], envelopes: list[Envelope]) -> int:
        """Store new hot issues (by hotspot_id) with their events in the outbox; returns how many were new."""
        ...

    async def hotspots(self, *, community_id: str | None, limit: int) -> list[dict[str, Any]]:
        """Stored hot issues, newest first."""
        ...

    async def append_event(self, envelope: Envelope) -> bool:
        """Keep the raw event in the replay log (once per id); True when it was new."""
        ...

    async def replay(self, *, after: int, limit: int) -> list[tuple[int, Envelope]]:
        """Logged events in arrival order after position `after`, as (position, envelope)."""
        ...

    async def clear(self) -> None:
        """Delete every fact and rollup row (the event log, the replay source, and published hot issues stay)."""
        ...

    async def ping(self) -> bool:
        """True when the store answers."""
        ...

    async def close(self) -> None:
        """Release the connection."""
        ...
