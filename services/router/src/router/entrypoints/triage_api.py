"""Manual triage queue: cases rules and model could not classify; decisions exported for retraining."""

from __future__ import annotations

import csv
import io
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from router.domain.case import ActorInfo, InvalidTransition
from router.entrypoints.access import OPERATOR, TRIAGERS, case_for, communities_for, paths_of, visible
from router.entrypoints.idempotency import http_event_id
from router.entrypoints.schemas import CaseOut, unprocessable
from router.handlers import triage
from router.handlers.context import CaseNotFound, Context
from servicekit.auth.principal import Principal

router = APIRouter(prefix="/v1/triage", tags=["triage"], responses={
    401: {"description": "no or bad credentials"}, 403: {"description": "role or scope not allowed"}})
Triager = Annotated[Principal, Depends(TRIAGERS)]


class TriageIn(BaseModel):
    """The person's decision: class and (preferably) sub-category codes from contracts.categories."""

    model_config = ConfigDict(extra="forbid")
    actor_id: str = Field(min_length=1, max_length=100)
    class_code: str = Field(min_length=1, max_length=50)
    sub_category: str | None = Field(None, max_length=50)
    note: str | None = Field(None, max_length=1000)


def _ctx(request: Request) -> Context:
    return request.app.state.router.ctx  # type: ignore[no-any-return]


@router.get("", response_model=list[CaseOut], summary="Cases waiting for manual triage, oldest first")
async def queue(request: Request, principal: Triager,
                limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[CaseOut]:
    """Open cases with needs_triage in the caller's subtree, each with the model's suggestion when there was one."""
    index = paths_of(request)
    communities = communities_for(principal, index, None)
    if communities == ():
        return []
    cases = await _ctx(request).repo.list_cases(community_ids=communities, needs_triage=True, limit=limit)
    return [CaseOut.of(c) for c in reversed(visible(principal, index, cases)) if c.is_open]


@router.get("/decisions.csv", summary="Manual decisions as training rows (title, body, label)",
            response_class=Response)
async def decisions_csv(request: Request, principal: Annotated[Principal, Depends(OPERATOR)]) -> Response:
    """CSV for `router-train --data`: one row per decided case in the caller's subtree (operators)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["title", "body", "label"])
    for case in visible(principal, paths_of(request), await _ctx(request).repo.triage_decisions()):
        writer.writerow([case.title or "", case.text, (case.triage_decision or {}).get("label", "")])
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8")


@router.post("/{case_id}", response_model=CaseOut, summary="Decide the category; the case is routed at once")
async def decide(case_id: str, body: TriageIn, request: Request, principal: Triager,
                 idempotency_key: Annotated[str | None, Header(max_length=100)] = None) -> CaseOut:
    """422 for unknown codes, 404 unknown case, 403 outside your scope, 409 when the case is not waiting for triage."""
    await case_for(request, principal, case_id)
    event_id = await http_event_id(_ctx(request), request, f"triage:{case_id}", idempotency_key, body)
    try:
        case = await triage.decide(_ctx(request), case_id, class_code=body.class_code, sub_category=body.sub_category,
                                   actor=ActorInfo("staff", body.actor_id), note=body.note,
                                   event_id=event_id)
    except ValueError as exc:
        if isinstance(exc, InvalidTransition):
            raise HTTPException(409, str(exc)) from None
        raise unprocessable("body.class_code", str(exc)) from None
    except CaseNotFound:
        raise HTTPException(404, f"no case {case_id}") from None
    return CaseOut.of(case)
