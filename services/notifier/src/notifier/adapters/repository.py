"""The repository protocol the handlers and the scheduler use; SQLite and MongoDB adapters implement it."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Protocol

from contracts.envelope import Envelope
from notifier.domain.assets import Asset
from notifier.domain.case_clock import CaseClock
from notifier.domain.timers import Timer

APPLIED_EVENTS_KEPT = 50


class ConcurrentUpdate(RuntimeError):
    """Another writer changed the case since it was read; the caller's message is retried."""


class TimerRepository(Protocol):
    """Case clocks, their timers and the outbox of the events their changes cause."""

    async def get_case(self, case_id: str) -> CaseClock | None:
        """The case's clock, with the version it was read at; None when unknown."""
        ...

    async def get_cases(self, case_ids: Collection[str]) -> dict[str, CaseClock]:
        """The clocks of several cases by id (unknown ids are left out)."""
        ...

    async def save_case(self, case: CaseClock, *, timers: list[Timer], events: list[Envelope], event_id: str) -> bool:
        """Store the clock (if still at `case.version`), make `timers` the case's scheduled set, queue `events`.

        Returns False when `event_id` was already applied (nothing changes); raises ConcurrentUpdate
        when another writer got there first.
        """
        ...

    async def timers_for_case(self, case_id: str) -> list[Timer]:
        """Every timer of the case, in due order (scheduled, fired and cancelled)."""
        ...

    async def claim_due_timers(self, now: datetime, lease_owner: str, lease_s: float, limit: int) -> list[Timer]:
        """Lease up to `limit` scheduled timers due at `now` whose lease is free or expired."""
        ...

    async def complete_timers(self, timers: list[Timer], *, lease_owner: str, fired_at: datetime,
                              events: Mapping[str, list[Envelope]]) -> set[str]:
        """Mark fired the leased timers `lease_owner` still holds and queue their events (by timer id).

        Returns the ids fired; a timer whose lease another replica took over is left alone, its events dropped.
        """
        ...

    async def next_due_at(self) -> datetime | None:
        """The earliest due instant of any scheduled timer."""
        ...

    async def count_timers(self, status: str) -> int:
        """How many timers are in this status."""
        ...

    async def save_asset(self, asset: Asset, *, timers: list[Timer]) -> None:
        """Store an asset register entry and make `timers` its scheduled reminders."""
        ...

    async def get_asset(self, asset_id: str) -> Asset | None:
        """An asset register entry."""
        ...

    async def repair(self) -> int:
        """Finish timer updates a crash interrupted; returns how many cases were repaired."""
        ...
