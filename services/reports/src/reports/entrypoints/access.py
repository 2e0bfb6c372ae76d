"""Who may read which figures: staff roles, every filter narrowed to the caller's subtree of the organisation."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request

from reports.config import ReportsSettings
from reports.domain.org import LEVELS
from servicekit.auth.authn import Authenticator
from servicekit.auth.deps import AuthError, require
from servicekit.auth.orgindex import OrgIndex
from servicekit.auth.principal import Principal, narrow
from servicekit.auth.roles import STAFF, Role
from servicekit.auth.setup import build_authenticator

Staff = Annotated[Principal, Depends(require(*STAFF))]


def authenticator_for(settings: ReportsSettings) -> Authenticator:
    """Bearer JWTs checked against the organisation file's paths."""
    return build_authenticator(settings, service="reports", org=OrgIndex.from_file(settings.org_file))


def _index(request: Request) -> OrgIndex:
    return request.app.state.auth.org  # type: ignore[no-any-return]


def scoped_nodes(request: Request, principal: Principal, nodes: Mapping[str, str]) -> dict[str, str]:
    """The org filters of a query, each checked against the caller's subtree and pinned inside it (403 outside)."""
    if principal.role is Role.PLATFORM_ADMIN:
        return dict(nodes)
    index = _index(request)
    for level, node in nodes.items():
        path = index.path(node)
        if path is None or narrow(principal, path) is None:
            raise AuthError(403, f"{level} {node} is outside your scope", field=level)
    request.state.audit_place = principal.scope
    own = len(principal.scope) - 1
    deepest = max((LEVELS.index(level) for level in nodes), default=-1)
    # A filter at or below the caller's own node is already inside it; the whole district is everything here.
    if deepest >= own or principal.scope == (index.district_id,):
        return dict(nodes)
    return {**nodes, LEVELS[own]: principal.scope[-1]}


def visible_node(request: Request, principal: Principal, node_id: str | None) -> bool:
    """True when a node is in the caller's subtree or on the way down to it (for filter lists)."""
    path = _index(request).path(node_id)
    return path is not None and narrow(principal, path) is not None


def sees_community(request: Request, principal: Principal, community_id: str | None) -> bool:
    """True for a community-level record (a hot issue) of a community in the caller's subtree or above them
    (a grid worker sees their own community's hot issues, not a neighbour community's)."""
    return visible_node(request, principal, community_id)
