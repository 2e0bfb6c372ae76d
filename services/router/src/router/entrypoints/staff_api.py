"""Staff API: a unit's open cases; accept, progress, resolve, hand back, escalate, reassign — in scope only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from router.domain import lifecycle
from router.domain.case import ActorInfo, Case, InvalidTransition
from router.entrypoints.access import (
    READERS,
    TRIAGERS,
    WORKERS,
    case_for,
    check_actor,
    check_targets,
    ctx_of,
    paths_of,
    visible,
)
from router.entrypoints.idempotency import http_event_id
from router.entrypoints.schemas import CaseOut, unprocessable
from router.handlers.commands import Mutation, run_on_case
from router.handlers.context import CaseNotFound
from servicekit.auth.deps import AuthError, authorize_place
from servicekit.auth.principal import Principal, may_act_for_department
from servicekit.auth.roles import OPERATORS

router = APIRouter(tags=["staff"], responses={401: {"description": "no or bad credentials"},
                                               403: {"description": "role or scope not allowed"}})
IdempotencyKey = Annotated[str | None, Header(max_length=100, description="replaying the same key changes nothing")]
Worker = Annotated[Principal, Depends(WORKERS)]


class StaffIn(BaseModel):
    """Who acts (a staff member's unit id)."""

    model_config = ConfigDict(extra="forbid")
    actor_id: str = Field(min_length=1, max_length=100)
    actor_name: str | None = Field(None, max_length=100)


class NoteIn(StaffIn):
    note: str | None = Field(None, max_length=2000)


class ProgressIn(StaffIn):
    note: str = Field(min_length=1, max_length=2000)
    photo_refs: list[Annotated[str, Field(max_length=300)]] = Field(default_factory=list, max_length=20)


class ResolveIn(StaffIn):
    resolution: str = Field(min_length=1, max_length=2000)


class ReasonIn(StaffIn):
    reason: str = Field(min_length=1, max_length=1000)


class ReassignIn(StaffIn):
    unit_ids: list[Annotated[str, Field(max_length=100)]] = Field(min_length=1, max_length=20)
    reason: str | None = Field(None, max_length=1000)


async def act(request: Request, principal: Principal, case_id: str, body: StaffIn, mutate: Mutation,
              key: str | None) -> CaseOut:
    """Run a staff action in scope; 404 unknown case, 403 outside scope, 409 transition not allowed or an
    Idempotency-Key reused with another body."""
    await case_for(request, principal, case_id)
    check_actor(request, principal, body.actor_id)
    actor = ActorInfo("staff", body.actor_id, body.actor_name)
    event_id = await http_event_id(ctx_of(request), request, case_id, key, body)
    try:
        case = await run_on_case(ctx_of(request), case_id, mutate, actor=actor, event_id=event_id)
    except CaseNotFound:
        raise HTTPException(404, f"no case {case_id}") from None
    except InvalidTransition as exc:
        raise HTTPException(409, str(exc)) from None
    return CaseOut.of(case)


@router.get("/v1/units/{unit_id}/cases", response_model=list[CaseOut], summary="A unit's open cases")
async def unit_cases(unit_id: str, request: Request, principal: Annotated[Principal, Depends(READERS)],
                     include_closed: bool = False) -> list[CaseOut]:
    """Cases where the unit is on the case (departments as `dept:<code>`), newest first."""
    repo, index = ctx_of(request).repo, paths_of(request)
    if unit_id.startswith("dept:"):
        code = unit_id.removeprefix("dept:")
        if not (may_act_for_department(principal, code) or principal.role in OPERATORS):
            raise AuthError(403, f"{unit_id} is not yours to read", field="unit_id")
        cases = await repo.list_cases(dept_code=code, limit=500)
    else:
        path = index.unit_path(unit_id)
        if path is None:
            raise HTTPException(404, f"no unit {unit_id}")
        authorize_place(request, principal, path, what=f"unit {unit_id}")
        cases = await repo.list_cases(unit_id=unit_id, limit=500)
    return [CaseOut.of(c) for c in visible(principal, index, cases) if include_closed or c.is_open]


def _actor(body: StaffIn) -> ActorInfo:
    return ActorInfo("staff", body.actor_id, body.actor_name)


@router.post("/v1/cases/{case_id}/accept", response_model=CaseOut, summary="Accept (respond to) the case")
async def accept(case_id: str, body: NoteIn, request: Request, principal: Worker,
                 idempotency_key: IdempotencyKey = None) -> CaseOut:
    """assigned/whistled/escalated/reopened → accepted."""
    return await act(request, principal, case_id, body, lambda c, now: [lifecycle.transition(
        c, "accept", actor=_actor(body), now=now, reason=body.note, unit_id=body.actor_id)], idempotency_key)


@router.post("/v1/cases/{case_id}/progress", response_model=CaseOut, summary="Add a progress note (photo refs)")
async def progress(case_id: str, body: ProgressIn, request: Request, principal: Worker,
                   idempotency_key: IdempotencyKey = None) -> CaseOut:
    """accepted/in_progress → in_progress."""
    return await act(request, principal, case_id, body, lambda c, now: [lifecycle.add_progress(
        c, actor=_actor(body), now=now, note=body.note, photo_refs=body.photo_refs)], idempotency_key)


@router.post("/v1/cases/{case_id}/resolve", response_model=CaseOut, summary="Resolve the case")
async def resolve(case_id: str, body: ResolveIn, request: Request, principal: Worker,
                  idempotency_key: IdempotencyKey = None) -> CaseOut:
    """A working case → resolved; the resident is then asked to rate it."""
    return await act(request, principal, case_id, body, lambda c, now: [lifecycle.resolve(
        c, actor=_actor(body), now=now, resolution=body.resolution)], idempotency_key)


@router.post("/v1/cases/{case_id}/hand-back", response_model=CaseOut, summary="Hand back: not our jurisdiction")
async def hand_back(case_id: str, body: ReasonIn, request: Request, principal: Worker,
                    idempotency_key: IdempotencyKey = None) -> CaseOut:
    """A working case → returned, into the triage queue to be routed again."""
    return await act(request, principal, case_id, body, lambda c, now: [lifecycle.hand_back(
        c, actor=_actor(body), now=now, reason=body.reason)], idempotency_key)


@router.post("/v1/cases/{case_id}/escalate", response_model=CaseOut, summary="Escalate to the next tier by hand")
async def escalate(case_id: str, body: NoteIn, request: Request, principal: Worker,
                   idempotency_key: IdempotencyKey = None) -> CaseOut:
    """A working case climbs one tier (T4 cannot)."""
    directory = ctx_of(request).directory
    return await act(request, principal, case_id, body, lambda c, now: [lifecycle.escalate(
        c, directory.org, directory.rules, actor=_actor(body), now=now, reason=body.note)], idempotency_key)


@router.post("/v1/cases/{case_id}/reassign", response_model=CaseOut, summary="Give the case to other units")
async def reassign(case_id: str, body: ReassignIn, request: Request, principal: Annotated[Principal, Depends(TRIAGERS)],
                   idempotency_key: IdempotencyKey = None) -> CaseOut:
    """Replace the case's units (ids from the organisation directory, within your scope); re-published as
    case.routed.v1. Community secretaries and above."""
    known = ctx_of(request).directory.org.all_units()
    unknown = [u for u in body.unit_ids if u not in known]
    if unknown:
        raise unprocessable("body.unit_ids", f"unknown unit id(s): {', '.join(unknown)}")
    check_targets(request, principal, body.unit_ids)

    def mutate(case: Case, now):  # type: ignore[no-untyped-def]
        return [lifecycle.reassign(case, [known[u] for u in body.unit_ids], actor=_actor(body), now=now,
                                   reason=body.reason)]

    return await act(request, principal, case_id, body, mutate, idempotency_key)
