"""Who may see and change which case: roles per endpoint and the scope checks on a case's org path."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import HTTPException, Request

from router.adapters.org_paths import case_place
from router.domain.case import Case
from router.handlers.context import Context
from servicekit.auth.deps import AuthError, authorize_place, require
from servicekit.auth.orgindex import OrgIndex
from servicekit.auth.principal import Principal, in_scope, narrow
from servicekit.auth.roles import DEPARTMENTS, OPERATORS, STAFF, SUPERVISORS, Role

READERS = require(*STAFF, *DEPARTMENTS)
WORKERS = require(*STAFF)
TRIAGERS = require(*SUPERVISORS)
OPERATOR = require(*OPERATORS)
ADMIN = require(Role.PLATFORM_ADMIN)
DEPARTMENT = require(Role.DEPARTMENT_SYSTEM)
# Who may hand a case to a department directly (reassign to dept:<code>).
DEPT_ASSIGNERS = (Role.STREET_STAFF, *OPERATORS)


def ctx_of(request: Request) -> Context:
    """The handlers' context of the running app."""
    return request.app.state.router.ctx  # type: ignore[no-any-return]


def paths_of(request: Request) -> OrgIndex:
    """Org paths of the directory in force."""
    return ctx_of(request).directory.paths


def may_see(principal: Principal, index: OrgIndex, case: Case) -> bool:
    """Staff see cases in their subtree; a department system sees cases whistled to it."""
    if principal.role is Role.DEPARTMENT_SYSTEM:
        return principal.dept_code in case.departments
    return in_scope(principal, case_place(index, case))


def authorize_case(request: Request, principal: Principal, case: Case) -> None:
    """403 unless the caller may see the case; the place is kept for the audit log."""
    index = paths_of(request)
    if principal.role is Role.DEPARTMENT_SYSTEM:
        request.state.audit_place = case_place(index, case)
        if principal.dept_code not in case.departments:
            raise AuthError(403, f"case {case.case_id} was not whistled to {principal.dept_code}", field="scope")
        return
    authorize_place(request, principal, case_place(index, case), what=f"case {case.case_id}")


async def case_for(request: Request, principal: Principal, case_id: str) -> Case:
    """The case if it exists (404) and the caller may see it (403)."""
    case = await ctx_of(request).repo.get(case_id)
    if case is None:
        raise HTTPException(404, f"no case {case_id}")
    authorize_case(request, principal, case)
    return case


def visible(principal: Principal, index: OrgIndex, cases: Iterable[Case]) -> list[Case]:
    """Only the cases the caller may see."""
    return [c for c in cases if principal.role is Role.PLATFORM_ADMIN or may_see(principal, index, c)]


def communities_for(principal: Principal, index: OrgIndex, community_id: str | None) -> tuple[str, ...] | None:
    """Communities a listing may read (None = no restriction); 403 when the asked-for one is outside."""
    if community_id is not None:
        path = index.path(community_id)
        narrowed = narrow(principal, path) if path else None
        if narrowed is None:
            if path is None and principal.role is Role.PLATFORM_ADMIN:
                return (community_id,)
            raise AuthError(403, f"community {community_id} is outside your scope", field="community_id")
        return index.nodes_at("community", narrowed)
    if principal.role is Role.PLATFORM_ADMIN:
        return None
    return index.nodes_at("community", principal.scope) if principal.scope else ()


def check_actor(request: Request, principal: Principal, actor_id: str) -> None:
    """A staff member may act only as a unit in their own subtree (free-text actor ids name no unit)."""
    index = paths_of(request)
    if actor_id == principal.unit_id or actor_id not in index.units:
        return
    if not in_scope(principal, index.unit_path(actor_id) or ()):
        raise AuthError(403, f"unit {actor_id} is outside your scope", field="actor_id")


def check_targets(request: Request, principal: Principal, unit_ids: Iterable[str]) -> None:
    """Reassignment only to units in the caller's subtree; departments only by street staff and above."""
    index = paths_of(request)
    for unit_id in unit_ids:
        if unit_id.startswith("dept:"):
            if principal.role not in DEPT_ASSIGNERS:
                raise AuthError(403, f"only street staff and operators may give a case to {unit_id}",
                                field="unit_ids")
        elif not in_scope(principal, index.unit_path(unit_id) or ()):
            raise AuthError(403, f"unit {unit_id} is outside your scope", field="unit_ids")
