"""Use cases: project one event into the case fact and the rollups."""

from __future__ import annotations

from contracts.envelope import Envelope
from reports.adapters.repository import ReportsRepository, VersionConflict
from reports.domain.facts import Event, apply_event, handles
from reports.domain.org import OrgIndex
from reports.domain.rollups import rollup_delta

MAX_ATTEMPTS = 8


class ProjectionConflict(RuntimeError):
    """The fact kept changing under us; the message is requeued."""


def to_event(envelope: Envelope) -> Event:
    """The projection's view of an envelope."""
    return Event(id=envelope.id, type=envelope.type, data=dict(envelope.data))


async def consume_event(repo: ReportsRepository, org: OrgIndex, envelope: Envelope) -> str:
    """Project the event and log it for replays in the same write; an event that changes nothing is only logged.

    Both writes are idempotent (the log by event id, the fact by its applied event ids), so a retry is safe.
    """
    outcome = await project_event(repo, org, envelope, log=True)
    if outcome != "applied":
        await repo.append_event(envelope)
    return outcome


async def rebuild(repo: ReportsRepository, org: OrgIndex, *, batch: int = 1000) -> int:
    """Forget facts and rollups, then project the whole event log again; returns events replayed."""
    await repo.clear()
    position, count = 0, 0
    while True:
        page = await repo.replay(after=position, limit=batch)
        if not page:
            return count
        for _, envelope in page:
            await project_event(repo, org, envelope)
            count += 1
        position = page[-1][0]


async def project_event(repo: ReportsRepository, org: OrgIndex, envelope: Envelope, *, log: bool = False) -> str:
    """Apply an event to its case's fact and rollups; returns "applied", "duplicate" or "ignored".

    With `log`, an applied event is written to the replay log together with the fact.
    """
    event = to_event(envelope)
    case_id = event.data.get("case_id")
    if not case_id or not handles(event.type):
        return "ignored"
    for _ in range(MAX_ATTEMPTS):
        old = await repo.get_fact(str(case_id))
        new = apply_event(old, event)
        if new is None:
            return "duplicate" if old is not None and event.id in old.applied_events else "ignored"
        try:
            await repo.save_fact(new, expected_version=old.version if old else 0,
                                 delta=rollup_delta(old, new, org), event=envelope if log else None)
        except VersionConflict:
            continue
        return "applied"
    raise ProjectionConflict(str(case_id))
