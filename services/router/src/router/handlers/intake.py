"""Events from intake: a request submitted (route or merge), cancelled, rated."""

from __future__ import annotations

from datetime import datetime, timedelta

from contracts.envelope import Envelope
from contracts.events.intake import RequestSubmitted
from router.domain import lifecycle
from router.domain.duplicates import find_duplicate
from router.handlers.commands import run_on_case
from router.handlers.context import Context
from router.handlers.routing import SYSTEM, apply_route, classify, new_case, reporter_of


async def route_request(ctx: Context, envelope: Envelope) -> str | None:
    """Open and route a case for a submitted request; returns the case id (None when already done)."""
    req = envelope.payload()
    assert isinstance(req, RequestSubmitted)
    if await ctx.repo.request_known(event_id=envelope.id, request_id=req.request_id):
        return None
    now = ctx.now()
    if await merge_duplicate(ctx, envelope, req, now):
        return None
    case = new_case(ctx, req, now)
    decided, suggestion = classify(ctx, req)
    case.suggestion = suggestion
    reason = _reason(decided.classified_by if decided else None, suggestion)
    events = apply_route(ctx, case, decided, now=now, actor=SYSTEM, cause=envelope, reason=reason)
    if await ctx.repo.create(case, events=events, event_id=envelope.id):
        ctx.on_write()
        if ctx.metrics:
            ctx.metrics.cases_routed.labels(case.class_code, str(case.tier), case.classified_by).inc()
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


async def merge_duplicate(ctx: Context, envelope: Envelope, req: RequestSubmitted, now: datetime) -> bool:
    """Join an open case about the same problem in the same compound; True when merged."""
    if not req.place.compound_id or ctx.duplicate_window_hours <= 0:
        return False
    window = timedelta(hours=ctx.duplicate_window_hours)
    place = req.place.model_dump()
    candidates = await ctx.repo.open_in_compound(req.place.compound_id, req.submitted_at - window,
                                                 building=place.get("building"))
    found = find_duplicate(f"{req.title or ''}{req.text}", place, candidates,
                           now=req.submitted_at, window=window, threshold=ctx.duplicate_similarity)
    if found is None:
        return False
    target, score = found
    reporter = reporter_of(req)
    await run_on_case(ctx, target.case_id, lambda case, at: [lifecycle.merge(
        case, reporter, actor=SYSTEM, now=at, score=score)], actor=SYSTEM, event_id=envelope.id, cause=envelope)
    ctx.log.info("request merged", extra={"case_id": target.case_id, "request_id": req.request_id,
                                          "similarity": round(score, 3)})
    return True
