"""Who is calling (`Principal`) and the pure scope rule on organisation paths (`in_scope`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from servicekit.auth.roles import Role

# A place in the organisation as the path of node ids from the district down, as deep as it is known:
# (district, street, community, compound, grid).
Place = tuple[str, ...]


@dataclass(frozen=True)
class Principal:
    """An authenticated caller: subject, role, the org path of its scope node, department code."""

    subject: str
    role: Role
    scope: Place = ()
    dept_code: str | None = None
    name: str | None = None
    via: str = "jwt"
    unit_id: str | None = None

    @property
    def scope_node(self) -> str | None:
        """The node whose subtree the caller may see (None for admins and department systems)."""
        return self.scope[-1] if self.scope else None

    @property
    def ancestry(self) -> Place:
        """The nodes above the scope node, district first."""
        return self.scope[:-1]

    def is_any(self, roles: Sequence[Role]) -> bool:
        """True when the caller's role is one of `roles`."""
        return self.role in roles

    def as_dict(self) -> dict[str, object]:
        """A JSON-friendly view (for /v1/auth/me and audit records)."""
        return {"subject": self.subject, "role": str(self.role), "scope": list(self.scope),
                "scope_node": self.scope_node, "dept_code": self.dept_code, "name": self.name, "via": self.via,
                "unit_id": self.unit_id}


def in_scope(principal: Principal, place: Sequence[str]) -> bool:
    """True when `place` lies in the caller's subtree (platform admins see everything).

    A place must be at least as deep as the caller's scope node and pass through it along the same
    ancestry: a street sees its communities, a grid worker only places resolved to their grid.
    Department systems are not scoped to the tree; their access is by department code.
    """
    if principal.role is Role.PLATFORM_ADMIN:
        return True
    if principal.role is Role.DEPARTMENT_SYSTEM or not principal.scope:
        return False
    depth = len(principal.scope)
    return len(place) >= depth and tuple(place[:depth]) == principal.scope


def narrow(principal: Principal, node_path: Sequence[str]) -> Place | None:
    """The part of a requested node the caller may see: the node itself when it lies in their subtree,
    their own scope when the node is above it (a street asking for the district), None when disjoint."""
    path = tuple(node_path)
    if in_scope(principal, path):
        return path
    if principal.role is not Role.DEPARTMENT_SYSTEM and principal.scope and principal.scope[:len(path)] == path:
        return principal.scope
    return None


def may_act_for_department(principal: Principal, dept_code: str) -> bool:
    """A department system acts only for its own department."""
    return principal.role is Role.DEPARTMENT_SYSTEM and principal.dept_code == dept_code
