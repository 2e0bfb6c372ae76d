"""Running a change on one case: load, apply domain steps, store with the events they cause."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from contracts.envelope import Envelope
from router.domain.case import ActorInfo, Case
from router.domain.lifecycle import Step
from router.handlers.context import Context, with_retry
from router.handlers.routing import issue_whistles
from router.messages import routed_event, transition_event

Mutation = Callable[[Case, datetime], list[Step]]


def events_for(ctx: Context, case: Case, steps: list[Step], *, actor: ActorInfo, now: datetime,
               cause: Envelope | None) -> list[Envelope]:
    """One event per step (reassign re-publishes case.routed.v1), plus whistles to newly added departments."""
    audit = case.history[-len(steps):] if steps else []
    events: list[Envelope] = []
    for step, entry in zip(steps, audit, strict=True):
        if step.action in ("reassign", "route"):
            events.append(routed_event(case, now=now, cause=cause))
        else:
            events.append(transition_event(case, action=step.action, previous=step.previous, actor=actor, now=now,
                                           cause=cause, reason=entry.get("reason"), unit_id=entry.get("unit_id"),
                                           extra=step.extra))
        if step.new_departments:
            events += issue_whistles(ctx, case, step.new_departments, now=now, cause=cause)
    return events


async def run_on_case(ctx: Context, case_id: str, mutate: Mutation, *, actor: ActorInfo,
                      event_id: str | None = None, cause: Envelope | None = None,
                      also_publish: tuple[Envelope, ...] = ()) -> Case:
    """Apply `mutate` to the current case and store it with its events (retrying on concurrent writes).

    InvalidTransition from `mutate` propagates and nothing is stored.
    """

    async def attempt(case: Case) -> Case:
        if event_id is not None and await ctx.repo.was_applied(event_id):
            return case
        now = ctx.now()
        steps = mutate(case, now)
        events = [*also_publish, *events_for(ctx, case, steps, actor=actor, now=now, cause=cause)]
        if not await ctx.repo.update(case, events=events, event_id=event_id):
            return await ctx.repo.get(case.case_id) or case  # a replay: show what is stored
        ctx.on_write()
        for step in steps:
            if ctx.metrics:
                ctx.metrics.transitions.labels(step.action).inc()
            ctx.log.info("case transition", extra={"case_id": case.case_id, "action": step.action,
                                                   "from": step.previous, "to": case.status})
        return case

    result = await with_retry(ctx, case_id, attempt)
    assert isinstance(result, Case)
    return result
