"""Events that move a case: department replies, SLA breaches, residents' feedback and cancellations."""

from __future__ import annotations

from datetime import datetime

from contracts.envelope import Envelope
from contracts.events.department import DeptReply
from contracts.events.intake import FeedbackSubmitted, RequestCancelled
from contracts.events.sla import SlaBreached
from router.domain import lifecycle
from router.domain.case import TRANSITIONS, WORKING, ActorInfo, Case, InvalidTransition
from router.domain.lifecycle import Step
from router.handlers.commands import run_on_case
from router.handlers.context import CaseNotFound, Context

SLA = ActorInfo("system", "notifier", "超时自动升级")


class NotOnCase(InvalidTransition):
    """A department replied about a case it was not whistled on."""


def dept_steps(case: Case, reply: DeptReply, kind: str, now: datetime) -> list[Step]:
    """What a department's reply does to the case (its own status always; the case's when it decides it)."""
    if reply.dept_code not in case.departments:
        raise NotOnCase(f"department {reply.dept_code} was not whistled on case {case.case_id}")
    actor = ActorInfo("department", reply.dept_code, reply.handler)
    case.dept_status[reply.dept_code] = kind
    steps: list[Step] = []
    if kind in ("accepted", "progress", "resolved") and case.status in TRANSITIONS["accept"][0]:
        steps.append(lifecycle.transition(case, "accept", actor=actor, now=now, reason=reply.note,
                                          unit_id=f"dept:{reply.dept_code}"))
    if kind == "progress":
        steps.append(lifecycle.add_progress(case, actor=actor, now=now, note=reply.note or "部门反馈进展",
                                            photo_refs=[]))
    active = [c for c in case.departments if case.dept_status.get(c) not in ("resolved", "returned")]
    if kind == "resolved" and not active and case.status in WORKING:
        steps.append(lifecycle.resolve(case, actor=actor, now=now, resolution=reply.note))
    if kind == "returned" and not active and case.status in WORKING and \
            all(case.dept_status.get(c) == "returned" for c in case.departments):
        steps.append(lifecycle.hand_back(case, actor=actor, now=now, reason=reply.note or "部门退回：非本部门职责"))
    return steps


async def on_dept_reply(ctx: Context, envelope: Envelope) -> None:
    """dept.case.accepted|progress|resolved|returned.v1 from a department system (AMQP or REST)."""
    reply = envelope.payload()
    assert isinstance(reply, DeptReply)
    kind = envelope.type.split(".")[2]
    await _guarded(ctx, envelope, reply.case_id, lambda case, now: dept_steps(case, reply, kind, now),
                   ActorInfo("department", reply.dept_code, reply.handler))


def breach_steps(ctx: Context, case: Case, breach: SlaBreached, now: datetime) -> list[Step]:
    """Escalate once per tier: a breach of an earlier tier's deadline, or of a finished case, does nothing."""
    if breach.tier != case.tier or case.status not in WORKING or case.tier >= 4:
        return []
    reason = f"{'响应' if breach.deadline == 'response' else '办结'}超时（期限 {breach.due_at.isoformat()}）"
    directory = ctx.directory
    return [lifecycle.escalate(case, directory.org, directory.rules, actor=SLA, now=now, reason=reason)]


async def on_sla_breached(ctx: Context, envelope: Envelope) -> None:
    """sla.breached.v1: climb to the next tier with a new deadline."""
    breach = envelope.payload()
    assert isinstance(breach, SlaBreached)
    await _guarded(ctx, envelope, breach.case_id, lambda case, now: breach_steps(ctx, case, breach, now), SLA)


async def on_feedback(ctx: Context, envelope: Envelope) -> None:
    """feedback.submitted.v1: satisfied closes the case, not satisfied reopens it (再接单)."""
    fb = envelope.payload()
    assert isinstance(fb, FeedbackSubmitted)
    case_id = fb.case_id or await _case_of_request(ctx, fb.request_id)
    actor = ActorInfo("resident", fb.request_id)

    def steps(case: Case, now: datetime) -> list[Step]:
        if fb.satisfied:
            step = lifecycle.transition(case, "close", actor=actor, now=now, reason=fb.comment or "居民满意")
            step.extra = {"satisfied": True}
            return [step]
        return [lifecycle.transition(case, "reopen", actor=actor, now=now, reason=fb.comment or "居民不满意，再接单")]

    await _guarded(ctx, envelope, case_id, steps, actor)


async def on_request_cancelled(ctx: Context, envelope: Envelope) -> None:
    """request.cancelled.v1: the reporter leaves the case; the case is cancelled when nobody is left."""
    cancel = envelope.payload()
    assert isinstance(cancel, RequestCancelled)
    case_id = cancel.case_id or await _case_of_request(ctx, cancel.request_id)
    actor = ActorInfo("resident", cancel.request_id)

    def steps(case: Case, now: datetime) -> list[Step]:
        for reporter in case.reporters:
            if reporter["request_id"] == cancel.request_id:
                reporter["cancelled"] = True
        if any(not r.get("cancelled") for r in case.reporters):
            return []
        return [lifecycle.transition(case, "cancel", actor=actor, now=now, reason=cancel.reason or "居民撤回")]

    await _guarded(ctx, envelope, case_id, steps, actor)


async def _case_of_request(ctx: Context, request_id: str) -> str | None:
    case = await ctx.repo.find_by_request(request_id)
    return case.case_id if case else None


async def _guarded(ctx: Context, envelope: Envelope, case_id: str | None, mutate, actor: ActorInfo) -> None:  # type: ignore[no-untyped-def]
    """Apply once; a rejected transition or unknown case is logged and acknowledged (retrying cannot help)."""
    if case_id is None or await ctx.repo.was_applied(envelope.id):
        if case_id is None:
            ctx.log.warning("event names no known case", extra={"event_id": envelope.id, "type": envelope.type})
        return
    try:
        await run_on_case(ctx, case_id, mutate, actor=actor, event_id=envelope.id, cause=envelope)
    except (InvalidTransition, CaseNotFound) as exc:
        ctx.log.warning("event rejected", extra={"event_id": envelope.id, "type": envelope.type,
                                                 "case_id": case_id, "reason": str(exc)})


HANDLERS = {
    "dept.case.accepted.v1": on_dept_reply, "dept.case.progress.v1": on_dept_reply,
    "dept.case.resolved.v1": on_dept_reply, "dept.case.returned.v1": on_dept_reply,
    "sla.breached.v1": on_sla_breached, "feedback.submitted.v1": on_feedback,
    "request.cancelled.v1": on_request_cancelled,
}
