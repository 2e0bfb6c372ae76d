"""The platform's roles, the organisation level each one is scoped to, and handy role groups."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who a caller is; services decide per endpoint which roles may call it."""

    GRID_WORKER = "grid_worker"
    COMMUNITY_STAFF = "community_staff"
    COMMUNITY_SECRETARY = "community_secretary"
    STREET_STAFF = "street_staff"
    DISTRICT_OPERATOR = "district_operator"
    DEPARTMENT_SYSTEM = "department_system"
    PLATFORM_ADMIN = "platform_admin"


# The organisation level a role's scope node sits at (None: not scoped to the tree).
SCOPE_LEVEL: dict[Role, str | None] = {
    Role.GRID_WORKER: "grid",
    Role.COMMUNITY_STAFF: "community",
    Role.COMMUNITY_SECRETARY: "community",
    Role.STREET_STAFF: "street",
    Role.DISTRICT_OPERATOR: "district",
    Role.DEPARTMENT_SYSTEM: None,
    Role.PLATFORM_ADMIN: None,
}

STAFF: tuple[Role, ...] = (Role.GRID_WORKER, Role.COMMUNITY_STAFF, Role.COMMUNITY_SECRETARY, Role.STREET_STAFF,
                           Role.DISTRICT_OPERATOR, Role.PLATFORM_ADMIN)
SUPERVISORS: tuple[Role, ...] = (Role.COMMUNITY_SECRETARY, Role.STREET_STAFF, Role.DISTRICT_OPERATOR,
                                 Role.PLATFORM_ADMIN)
OPERATORS: tuple[Role, ...] = (Role.DISTRICT_OPERATOR, Role.PLATFORM_ADMIN)
ADMINS: tuple[Role, ...] = (Role.PLATFORM_ADMIN,)
DEPARTMENTS: tuple[Role, ...] = (Role.DEPARTMENT_SYSTEM,)
ALL_ROLES: tuple[Role, ...] = tuple(Role)


def parse_role(value: object) -> Role | None:
    """The role named by a claim value, or None when it names no Whistle role."""
    try:
        return Role(str(value))
    except ValueError:
        return None
