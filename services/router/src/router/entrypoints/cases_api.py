"""Read API of cases: one case by id, and cases by community and status — each within the caller's scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from router.entrypoints.access import READERS, WORKERS, case_for, communities_for, ctx_of, paths_of, visible
from router.entrypoints.schemas import CaseOut
from servicekit.auth.principal import Principal

router = APIRouter(prefix="/v1/cases", tags=["cases"])
ID = Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]
DENIED: dict[int | str, dict[str, Any]] = {401: {"description": "no or bad credentials"},
                                           403: {"description": "outside your scope"}}


@router.get("/{case_id}", response_model=CaseOut, summary="One case with its audit trail",
            responses={**DENIED, 404: {"description": "unknown case"}})
async def get_case(case_id: str, request: Request, principal: Annotated[Principal, Depends(READERS)]) -> CaseOut:
    """The case when it lies in the caller's subtree (departments: when whistled to them)."""
    return CaseOut.of(await case_for(request, principal, case_id))


@router.get("", response_model=list[CaseOut], summary="Cases by community and status, newest first",
            responses=DENIED)
async def list_cases(request: Request, principal: Annotated[Principal, Depends(WORKERS)],
                     community_id: ID | None = None, status: ID | None = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[CaseOut]:
    """Cases matching the filters inside the caller's subtree."""
    index = paths_of(request)
    communities = communities_for(principal, index, community_id)
    if communities == ():
        return []
    # A compound or grid scope is finer than the community filter the store applies: read a wider page.
    fetch = limit if len(principal.scope) <= 3 else 500
    cases = await ctx_of(request).repo.list_cases(community_ids=communities, status=status, limit=fetch)
    return [CaseOut.of(c) for c in visible(principal, index, cases)[:limit]]
