"""Departments replying over REST with their own API key (the same replies as over AMQP)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from contracts.envelope import new_event
from contracts.events.department import DeptCaseAccepted, DeptCaseProgress, DeptCaseResolved, DeptCaseReturned
from router.adapters.org_paths import case_place
from router.domain.case import ActorInfo, InvalidTransition
from router.entrypoints.access import DEPARTMENT
from router.entrypoints.schemas import CaseOut
from router.handlers.commands import run_on_case
from router.handlers.context import CaseNotFound, Context
from router.handlers.lifecycle import NotOnCase, dept_steps
from servicekit.auth.principal import Principal

router = APIRouter(prefix="/v1/departments", tags=["departments"], responses={
    401: {"description": "missing or unknown X-API-Key (or bearer token)"},
    403: {"description": "not a department system, or the case was not whistled to you"}})
MODELS = {"accepted": DeptCaseAccepted, "progress": DeptCaseProgress, "resolved": DeptCaseResolved,
          "returned": DeptCaseReturned}
Department = Annotated[Principal, Depends(DEPARTMENT)]


class ReplyIn(BaseModel):
    """A department's reply: a note and the officer handling it."""

    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=2000)
    handler: str | None = Field(None, max_length=100)
    occurred_at: AwareDatetime | None = None
    reply_id: str | None = Field(None, max_length=100, description="your id for this reply; a retry with it is ignored")


def _ctx(request: Request) -> Context:
    return request.app.state.router.ctx  # type: ignore[no-any-return]


@router.get("/cases", response_model=list[CaseOut], summary="Open cases whistled to the calling department")
async def my_cases(request: Request, principal: Department) -> list[CaseOut]:
    """The department's open cases, newest first."""
    code = str(principal.dept_code)
    cases = await _ctx(request).repo.list_cases(dept_code=code, limit=500)
    return [CaseOut.of(c) for c in cases if c.is_open]


@router.post("/cases/{case_id}/{reply}", response_model=CaseOut, summary="Reply to a whistle")
async def reply_to_case(case_id: str, reply: Literal["accepted", "progress", "resolved", "returned"], body: ReplyIn,
                        request: Request, principal: Department) -> CaseOut:
    """Apply the reply (403 when the case was not whistled to you, 409 when it cannot apply now)."""
    code = str(principal.dept_code)
    data = MODELS[reply](case_id=case_id, dept_code=code, note=body.note, handler=body.handler,
                         occurred_at=body.occurred_at or datetime.now(UTC))
    event_id = f"dept:{code}:{body.reply_id}" if body.reply_id else None
    envelope = new_event(data, source=f"/departments/{code}", subject=case_id, event_id=event_id)
    ctx = _ctx(request)
    if (stored := await ctx.repo.get(case_id)) is not None:
        request.state.audit_place = case_place(ctx.directory.paths, stored)
    try:
        case = await run_on_case(ctx, case_id, lambda c, now: dept_steps(c, data, reply, now),
                                 actor=ActorInfo("department", code, body.handler), event_id=envelope.id,
                                 cause=envelope, also_publish=(envelope,))
    except CaseNotFound:
        raise HTTPException(404, f"no case {case_id}") from None
    except NotOnCase as exc:
        raise HTTPException(403, str(exc)) from None
    except InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from None
    return CaseOut.of(case)
