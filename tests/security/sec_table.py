"""The endpoint × caller table: who calls (role, inside or outside the target's subtree) and what must happen."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any

import fastapi.routing
from fastapi import FastAPI
from sec_platform import Platform
from sec_seed import INSIDE, OUTSIDE, Targets
from starlette.routing import Mount

from servicekit.auth.roles import Role


class Kind(Enum):
    """How an endpoint treats its callers."""

    PUBLIC = "public"  # anyone; bearer credentials are not looked at
    ROLES = "roles"  # the listed roles, wherever their scope is
    SCOPED = "scoped"  # the listed roles, only for a target inside their subtree (403 outside)
    FILTERED = "filtered"  # the listed roles; the answer holds the target only for callers inside
    RESIDENT = "resident"  # only the resident's access token; no bearer credential opens it


@dataclass(frozen=True)
class Caller:
    """One caller of the table: anonymous, a forged or expired token, or a role inside/outside the target."""

    name: str
    role: Role | None = None
    where: str | None = None  # "inside" | "outside"
    headers: Mapping[str, str] = field(default_factory=dict)
    unit: str | None = None


@dataclass(frozen=True)
class Rule:
    """One endpoint: kind, admitted roles, the request to send, what counts as handled, what shows the target."""

    service: str
    method: str
    route: str
    kind: Kind
    request: Callable[[Targets, Caller], dict[str, Any]]
    roles: tuple[Role, ...] = ()
    ok: frozenset[int] = frozenset({200})
    reached: Callable[[Any, Targets], bool] | None = None
    anonymous: int | None = None  # the status a caller without credentials gets, when not the kind's default
    outside: Mapping[Role, str] = field(default_factory=dict)  # per-rule outside nodes

    @property
    def key(self) -> tuple[str, str]:
        """(method, route) as the app declares it."""
        return (self.method, self.route)


GRID_UNITS = {"g-jh-jh-hy-1": "u-g-jh-jh-hy-1", "g-jh-jh-hy-2": "u-g-jh-jh-hy-2", "g-jh-xh-xy-1": "u-g-jh-xh-xy-1"}


def callers(p: Platform, t: Targets, outside: Mapping[Role, str] | None = None) -> list[Caller]:
    """Anonymous, forged, expired, and every role inside and (where one exists) outside the target's subtree."""
    now = datetime.now(UTC)
    forged = p.token(Role.PLATFORM_ADMIN)[:-6] + "AAAAAA"
    expired = p.token(Role.PLATFORM_ADMIN, ttl=timedelta(minutes=5), now=now - timedelta(hours=2))
    found = [Caller("anonymous"), Caller("forged", headers={"Authorization": f"Bearer {forged}"}),
             Caller("expired", headers={"Authorization": f"Bearer {expired}"})]
    places = {"inside": INSIDE, "outside": {**OUTSIDE, **(outside or {})}}
    for where, nodes in places.items():
        for role, node in nodes.items():
            unit = GRID_UNITS.get(node or "")
            found.append(Caller(f"{role}@{where}:{node}", role, where, p.headers(role, node, unit=unit), unit))
    for where, dept in (("inside", t.dept_in), ("outside", t.dept_out)):
        found.append(Caller(f"department_system@{where}:{dept}", Role.DEPARTMENT_SYSTEM, where,
                            p.headers(Role.DEPARTMENT_SYSTEM, dept=dept)))
    return found


@dataclass(frozen=True)
class Expect:
    """What one call must answer: a set of statuses, and for filtered lists whether the target shows."""

    statuses: frozenset[int]
    reached: bool | None = None


def expected(rule: Rule, caller: Caller) -> Expect:
    """The table's verdict for one rule and caller."""
    if rule.kind is Kind.PUBLIC:
        return Expect(rule.ok)
    if rule.kind is Kind.RESIDENT:
        return Expect(frozenset({403}))
    if caller.role is None:
        if caller.name == "anonymous" and rule.anonymous is not None:
            return Expect(rule.ok if rule.anonymous in rule.ok else frozenset({rule.anonymous}))
        return Expect(frozenset({401}))
    if caller.role not in rule.roles:
        return Expect(frozenset({403}))
    if rule.kind is Kind.ROLES:
        return Expect(rule.ok)
    if rule.kind is Kind.SCOPED:
        return Expect(rule.ok if caller.where == "inside" else frozenset({403}))
    return Expect(rule.ok, reached=caller.where == "inside")


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app answers; mounts as ("MOUNT", path); HEAD twins of GET folded away."""
    found: set[tuple[str, str]] = set()
    for context in fastapi.routing.iter_route_contexts(app.routes):
        route = getattr(context, "original_route", context)
        if isinstance(route, Mount):
            found.add(("MOUNT", route.path))
            continue
        for method in getattr(context, "methods", None) or ():
            if method != "HEAD":
                found.add((method, context.path))
    return found
