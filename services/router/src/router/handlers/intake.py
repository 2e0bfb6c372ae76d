"""Events from intake: a request submitted (route or merge), cancelled, rated."""

from __future__ import annotations

from contracts.envelope import Envelope
from contracts.events.intake import RequestSubmitted
from router.handlers.context import Context
from router.handlers.routing import SYSTEM, apply_route, classify, new_case


async def route_request(ctx: Context, envelope: Envelope) -> str | None:
    """Open and route a case for a submitted request; returns the case id (None when already done)."""
    req = envelope.payload()
    assert isinstance(req, RequestSubmitted)
    if await ctx.repo.was_applied(envelope.id) or await ctx.repo.find_by_request(req.request_id):
        return None
    now = ctx.now()
    case = new_case(ctx, req, now)
    decided, suggestion = classify(ctx, req)
    case.suggestion = suggestion
    reason = _reason(decided.classified_by if decided else None, suggestion)
    events = apply_route(ctx, case, decided, now=now, actor=SYSTEM, cause=envelope, reason=reason)
    if await ctx.repo.create(case, events=events, event_id=envelope.id):
        ctx.on_write()
        ctx.log.info("case routed", extra={"case_id": case.case_id, "status": case.status, "tier": case.tier,
                                           "sub_category": case.sub_category, "departments": case.departments})
        return case.case_id
    return None


def _reason(by: str | None, suggestion: dict[str, object] | None) -> str:
    if by == "resident":
        return "分类：居民选择"
    if by == "rule":
        return "分类：关键词规则"
    if by == "model":
        return f"分类：模型 {suggestion['label'] if suggestion else ''}"
    return "待人工分拨：规则与模型均不能确定分类"
