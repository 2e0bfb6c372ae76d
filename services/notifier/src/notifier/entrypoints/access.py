"""Who may read a case's timers and notifications or manage asset registers: roles and org-path scope."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from notifier.config import NotifierSettings
from notifier.domain.assets import Asset
from notifier.domain.case_clock import CaseClock
from servicekit.auth.authn import Authenticator
from servicekit.auth.deps import AuthError, require
from servicekit.auth.orgindex import OrgIndex
from servicekit.auth.principal import Place, Principal, in_scope
from servicekit.auth.roles import STAFF, Role
from servicekit.auth.setup import build_authenticator

DENIED: dict[int | str, dict[str, Any]] = {401: {"description": "staff credentials required"},
                                           403: {"description": "role or scope not allowed"}}
Staff = Annotated[Principal, Depends(require(*STAFF))]
# Registers are kept by community staff and above (grid workers record inspections as done).
REGISTRARS = tuple(r for r in STAFF if r is not Role.GRID_WORKER)
Registrar = Annotated[Principal, Depends(require(*REGISTRARS))]


def authenticator_for(settings: NotifierSettings) -> Authenticator:
    """Bearer JWTs; scope ancestry from NOTIFIER_ORG_FILE when set, else from the token's org_path claim."""
    index = OrgIndex.from_file(settings.org_file) if settings.org_file else None
    return build_authenticator(settings, service="notifier", org=index)


def _index(request: Request) -> OrgIndex | None:
    return request.app.state.auth.org  # type: ignore[no-any-return]


def clock_place(request: Request, clock: CaseClock) -> Place:
    """A case's place as the router routed it: district, street, community, compound and grid."""
    index = _index(request)
    if index is not None and index.path(clock.community_id):
        return index.place(community_id=clock.community_id, compound_id=clock.compound_id, grid_id=clock.grid_id)
    path: list[str] = []
    for node in (clock.district_id, clock.street_id, clock.community_id, clock.compound_id, clock.grid_id):
        if not node:
            break
        path.append(node)
    return tuple(path) if len(path) >= 3 else ()


def asset_place(request: Request, asset: Asset) -> Place:
    """An asset's community path (needs the organisation file)."""
    index = _index(request)
    return (index.path(asset.community_id) or ()) if index is not None else ()


def _check(request: Request, principal: Principal, place: Place, assignees: tuple[str, ...], what: str) -> None:
    request.state.audit_place = place
    if in_scope(principal, place) or (principal.unit_id is not None and principal.unit_id in assignees):
        return
    raise AuthError(403, f"{what} is outside your scope", field="scope")


def authorize_clock(request: Request, principal: Principal, clock: CaseClock | None, case_id: str) -> None:
    """404 for a case the notifier has not seen (admins excepted); 403 outside the caller's subtree.

    A grid worker also sees the cases they are assigned to (clocks stored before grids were recorded).
    """
    if clock is None:
        if principal.role is Role.PLATFORM_ADMIN:
            return
        raise HTTPException(404, f"the notifier has not seen case {case_id}")
    _check(request, principal, clock_place(request, clock), clock.units, f"case {case_id}")


def authorize_asset(request: Request, principal: Principal, asset: Asset) -> None:
    """403 unless the asset's community is in the caller's subtree or the caller is responsible for it."""
    _check(request, principal, asset_place(request, asset), asset.unit_ids, f"asset {asset.asset_id}")
