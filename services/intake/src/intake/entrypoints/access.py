"""Who may act as staff in intake, and the org-path scope of a request or compound."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from intake.config import IntakeSettings
from intake.domain.model import IntakeRequest
from intake.domain.org import Compound
from servicekit.auth.authn import Authenticator
from servicekit.auth.deps import AuthError, authorize_place, optional_principal, require
from servicekit.auth.orgindex import OrgIndex
from servicekit.auth.principal import Place, Principal, in_scope
from servicekit.auth.roles import STAFF, SUPERVISORS, Role
from servicekit.auth.setup import build_authenticator

STAFF_ONLY = require(*STAFF)
IMPORTERS = require(*SUPERVISORS)
Staff = Annotated[Principal, Depends(STAFF_ONLY)]
Caller = Annotated[Principal | None, Depends(optional_principal)]


def authenticator_for(settings: IntakeSettings, index: OrgIndex) -> Authenticator:
    """Bearer JWTs of the platform or OIDC; in dev mode also the documented static staff token."""
    static = {token: Principal(token, Role.DISTRICT_OPERATOR, scope=(index.district_id,), name=name, via="static")
              for token, name in settings.staff_token_map().items()}
    return build_authenticator(settings, service="intake", org=index, static=static)


def paths_of(request: Request) -> OrgIndex:
    """The org paths loaded at start."""
    return request.app.state.auth.org  # type: ignore[no-any-return]


def request_place(index: OrgIndex, req: IntakeRequest) -> Place:
    """A request's place: community, compound and grid (by building, else the compound's first grid)."""
    return index.place(community_id=req.community_id, compound_id=req.compound_id, building=req.building)


def compound_place(index: OrgIndex, compound: Compound, building: str | None) -> Place:
    """Where a submission for this compound and building lands."""
    return index.place(community_id=compound.community_id, compound_id=compound.id, building=building)


def staff_caller(caller: Principal | None) -> Principal | None:
    """A caller with credentials must be staff (department systems do not submit for residents)."""
    if caller is not None and caller.role not in STAFF:
        raise AuthError(403, f"role {caller.role} may not act as staff here")
    return caller


def authorize_request(request: Request, principal: Principal, req: IntakeRequest) -> None:
    """403 unless the request lies in the caller's subtree."""
    authorize_place(request, principal, request_place(paths_of(request), req), what=f"request {req.id}")


def sees(request: Request, principal: Principal | None, req: IntakeRequest) -> bool:
    """True when a staff caller's subtree holds the request."""
    return principal is not None and principal.role in STAFF and in_scope(
        principal, request_place(paths_of(request), req))
