"""Read API of cases: one case by id, and cases by community and status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request

from router.entrypoints.schemas import CaseOut

router = APIRouter(prefix="/v1/cases", tags=["cases"])
ID = Annotated[str, Query(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")]


@router.get("/{case_id}", response_model=CaseOut, summary="One case with its audit trail")
async def get_case(case_id: str, request: Request) -> CaseOut:
    """Return the case or 404."""
    case = await request.app.state.router.ctx.repo.get(case_id)
    if case is None:
        raise HTTPException(404, f"no case {case_id}")
    return CaseOut.of(case)


@router.get("", response_model=list[CaseOut], summary="Cases by community and status, newest first")
async def list_cases(request: Request, community_id: ID | None = None, status: ID | None = None,
                     limit: Annotated[int, Query(ge=1, le=500)] = 50) -> list[CaseOut]:
    """Cases matching the filters."""
    cases = await request.app.state.router.ctx.repo.list_cases(community_id=community_id, status=status, limit=limit)
    return [CaseOut.of(c) for c in cases]
