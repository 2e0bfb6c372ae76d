"""The case state machine: every transition, its event and audit entry, and its rejections."""

from __future__ import annotations

from datetime import timedelta

import pytest

from contracts.envelope import new_event
from contracts.events.department import DeptCaseAccepted, DeptCaseResolved, DeptCaseReturned
from contracts.events.intake import FeedbackSubmitted, RequestCancelled
from contracts.events.sla import SlaBreached
from router.domain import lifecycle
from router.domain.case import ActorInfo, InvalidTransition
from router.handlers import lifecycle as events
from router.handlers.commands import run_on_case
from router.handlers.intake import route_request

from ..conftest import NOW, published, request_submitted

STAFF = ActorInfo("staff", "u-g-jh-jh-hy-1", "陈刚")
ALL = ("triage", "assigned", "whistled", "accepted", "in_progress", "escalated", "reopened", "returned",
       "resolved", "closed", "cancelled")
# action → statuses it is allowed from, written out from the state diagram
ALLOWED = {
    "accept": {"assigned", "whistled", "escalated", "reopened"},
    "progress": {"accepted", "in_progress"},
    "resolve": {"assigned", "whistled", "accepted", "in_progress", "escalated", "reopened"},
    "return": {"assigned", "whistled", "accepted", "in_progress", "escalated", "reopened"},
    "reopen": {"resolved"},
    "close": {"resolved"},
    "cancel": {"triage", "assigned", "whistled", "accepted", "in_progress", "escalated", "reopened", "returned"},
}


async def open_case(ctx, text="楼上卫生间漏水，我家天花板在滴水", request_id="r-1", **kw) -> str:
    case_id = await route_request(ctx, request_submitted(text, request_id=request_id, **kw))
    assert case_id is not None
    return case_id


def step_for(action):
    return {
        "accept": lambda c, now: [lifecycle.transition(c, "accept", actor=STAFF, now=now)],
        "progress": lambda c, now: [lifecycle.add_progress(c, actor=STAFF, now=now, note="已上门查看", photo_refs=[])],
        "resolve": lambda c, now: [lifecycle.resolve(c, actor=STAFF, now=now, resolution="已修好")],
        "return": lambda c, now: [lifecycle.hand_back(c, actor=STAFF, now=now, reason="不属于本网格")],
        "reopen": lambda c, now: [lifecycle.transition(c, "reopen", actor=STAFF, now=now)],
        "close": lambda c, now: [lifecycle.transition(c, "close", actor=STAFF, now=now)],
        "cancel": lambda c, now: [lifecycle.transition(c, "cancel", actor=STAFF, now=now)],
    }[action]


@pytest.mark.parametrize("status", ALL)
@pytest.mark.parametrize("action", sorted(ALLOWED))
async def test_each_action_is_allowed_only_from_its_statuses(ctx, action, status):
    case_id = await open_case(ctx)
    case = await ctx.repo.get(case_id)
    case.status = status
    await ctx.repo.update(case, events=[], event_id=None)
    before = await published(ctx)
    if status in ALLOWED[action]:
        after = await run_on_case(ctx, case_id, step_for(action), actor=STAFF)
        assert after.history[-1]["from"] == status and after.history[-1]["actor_id"] == STAFF.id
        assert len(await published(ctx)) == len(before) + 1
    else:
        with pytest.raises(InvalidTransition, match=f"cannot {action}"):
            await run_on_case(ctx, case_id, step_for(action), actor=STAFF)
        stored = await ctx.repo.get(case_id)
        assert stored.status == status and stored.version == 1
        assert len(await published(ctx)) == len(before)


async def test_a_case_goes_from_routed_to_closed_with_one_event_per_step(ctx):
    case_id = await open_case(ctx)
    for action in ("accept", "progress", "resolve"):
        await run_on_case(ctx, case_id, step_for(action), actor=STAFF)
    feedback = FeedbackSubmitted(request_id="r-1", satisfied=True, rating=5, submitted_at=NOW)
    await events.on_feedback(ctx, new_event(feedback, source="/whistle/intake", subject="r-1"))
    case = await ctx.repo.get(case_id)
    assert case.status == "closed"
    assert [h["to"] for h in case.history] == ["assigned", "accepted", "in_progress", "resolved", "closed"]
    types = [e.type for e in await published(ctx)]
    assert types == ["case.routed.v1", "case.accepted.v1", "case.progress.v1", "case.resolved.v1", "case.closed.v1"]
    closed = (await published(ctx))[-1]
    assert closed.data["satisfied"] is True and closed.data["from_status"] == "resolved"


async def test_an_unsatisfied_resident_reopens_the_case(ctx):
    case_id = await open_case(ctx)
    await run_on_case(ctx, case_id, step_for("resolve"), actor=STAFF)
    feedback = FeedbackSubmitted(request_id="r-1", satisfied=False, comment="还在漏", submitted_at=NOW)
    await events.on_feedback(ctx, new_event(feedback, source="/whistle/intake", subject="r-1"))
    case = await ctx.repo.get(case_id)
    assert case.status == "reopened" and case.history[-1]["reason"] == "还在漏"
    assert (await published(ctx))[-1].type == "case.reopened.v1"


async def test_feedback_on_a_case_not_yet_resolved_is_rejected_and_changes_nothing(ctx):
    case_id = await open_case(ctx)
    feedback = FeedbackSubmitted(request_id="r-1", satisfied=True, submitted_at=NOW)
    await events.on_feedback(ctx, new_event(feedback, source="/whistle/intake", subject="r-1"))
    case = await ctx.repo.get(case_id)
    assert case.status == "assigned" and case.version == 0


async def test_escalation_climbs_one_tier_whistles_at_tier_three_and_stops_at_four(ctx):
    case_id = await open_case(ctx)  # leak: tier 1, no department
    directory = ctx.directory

    def climb(c, now):
        return [lifecycle.escalate(c, directory.org, directory.rules, actor=STAFF, now=now, reason="久拖未决")]

    case = await run_on_case(ctx, case_id, climb, actor=STAFF)
    assert (case.tier, case.status, case.departments) == (2, "escalated", [])
    case = await run_on_case(ctx, case_id, climb, actor=STAFF)
    assert case.tier == 3 and case.departments == ["fangguan"] and case.units[0]["kind"] == "secretary"
    assert case.sla_policy == "tier3-secretary"
    case = await run_on_case(ctx, case_id, climb, actor=STAFF)
    assert case.tier == 4 and case.units[0]["kind"] == "street_centre" and case.sla_policy == "tier4-street"
    with pytest.raises(InvalidTransition, match="tier 4"):
        await run_on_case(ctx, case_id, climb, actor=STAFF)
    types = [e.type for e in await published(ctx)]
    assert types.count("case.escalated.v1") == 3 and types.count("whistle.issued.v1") == 1


def breach(case_id, tier):
    data = SlaBreached(case_id=case_id, community_id="qc-jh-jh", deadline="response", due_at=NOW - timedelta(hours=1),
                       tier=tier, breached_at=NOW)
    return new_event(data, source="/whistle/notifier", subject=case_id)


async def test_an_sla_breach_escalates_once_and_a_stale_breach_does_nothing(ctx):
    case_id = await open_case(ctx)
    first = breach(case_id, 1)
    await events.on_sla_breached(ctx, first)
    await events.on_sla_breached(ctx, first)  # redelivered
    await events.on_sla_breached(ctx, breach(case_id, 1))  # a second breach of the old tier's deadline
    case = await ctx.repo.get(case_id)
    assert case.tier == 2 and case.status == "escalated" and case.history[-1]["actor_kind"] == "system"
    escalated = [e for e in await published(ctx) if e.type == "case.escalated.v1"]
    assert len(escalated) == 1 and escalated[0].data["from_tier"] == 1 and escalated[0].causationid == first.id


def dept(model, case_id, code, note=None):
    return new_event(model(case_id=case_id, dept_code=code, note=note, handler="王科长", occurred_at=NOW),
                     source=f"/departments/{code}", subject=case_id)


async def test_departments_accept_and_the_case_resolves_when_every_department_has(ctx):
    case_id = await open_case(ctx, "想咨询退休后医保报销和养老金的政策，请回电", request_id="r-ss")
    assert (await ctx.repo.get(case_id)).departments == ["minzheng", "renshe"]
    await events.on_dept_reply(ctx, dept(DeptCaseAccepted, case_id, "minzheng"))
    await events.on_dept_reply(ctx, dept(DeptCaseResolved, case_id, "minzheng", "已电话答复"))
    case = await ctx.repo.get(case_id)
    assert case.status == "accepted" and case.dept_status == {"minzheng": "resolved", "renshe": "whistled"}
    await events.on_dept_reply(ctx, dept(DeptCaseResolved, case_id, "renshe", "已答复"))
    case = await ctx.repo.get(case_id)
    assert case.status == "resolved" and case.history[-1]["actor_id"] == "renshe"


async def test_a_department_not_on_the_case_cannot_move_it(ctx):
    case_id = await open_case(ctx, "想咨询退休后医保报销", request_id="r-ss")
    await events.on_dept_reply(ctx, dept(DeptCaseResolved, case_id, "chengguan"))
    case = await ctx.repo.get(case_id)
    assert case.status == "whistled" and "chengguan" not in case.dept_status


async def test_when_every_department_returns_the_case_it_goes_back_to_triage(ctx):
    case_id = await open_case(ctx, "小区里消防栓坏了好几个", request_id="r-fire")
    await events.on_dept_reply(ctx, dept(DeptCaseReturned, case_id, "xiaofang", "属物业维保范围"))
    case = await ctx.repo.get(case_id)
    assert case.status == "returned" and case.needs_triage
    assert (await published(ctx))[-1].type == "case.returned.v1"


async def test_a_case_is_cancelled_only_when_every_reporter_withdrew(ctx):
    case_id = await open_case(ctx)
    case = await ctx.repo.get(case_id)
    case.reporters.append({"request_id": "r-2", "tracking_code": "WS-r-2"})
    await ctx.repo.update(case, events=[], event_id=None)
    for rid in ("r-1", "r-2"):
        cancel = RequestCancelled(request_id=rid, reason="已自行解决", cancelled_at=NOW)
        await events.on_request_cancelled(ctx, new_event(cancel, source="/whistle/intake", subject=rid))
        case = await ctx.repo.get(case_id)
        assert case.status == ("assigned" if rid == "r-1" else "cancelled")
    assert (await published(ctx))[-1].type == "case.cancelled.v1"


async def test_hand_back_needs_a_reason_and_reassign_needs_a_unit(ctx):
    case_id = await open_case(ctx)
    with pytest.raises(InvalidTransition):
        await run_on_case(ctx, case_id, lambda c, now: [lifecycle.hand_back(c, actor=STAFF, now=now, reason=" ")],
                          actor=STAFF)
    with pytest.raises(InvalidTransition):
        await run_on_case(ctx, case_id, lambda c, now: [lifecycle.reassign(c, [], actor=STAFF, now=now, reason=None)],
                          actor=STAFF)
    assert (await ctx.repo.get(case_id)).version == 0
