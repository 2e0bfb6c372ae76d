"""Staff users for the router's token endpoint: a YAML file of Argon2 hashes, or generated dev users."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from router.adapters.yaml_files import FileInvalid, error_at, parse_text
from servicekit.auth.orgindex import OrgIndex, ScopeInvalid
from servicekit.auth.passwords import is_password_hash
from servicekit.auth.principal import Principal
from servicekit.auth.roles import Role

# Dev users: the unit kinds of the organisation file that sign in, and the role each gets.
DEV_UNIT_ROLES = {"worker": Role.GRID_WORKER, "cadres": Role.COMMUNITY_STAFF,
                  "secretary": Role.COMMUNITY_SECRETARY, "centre": Role.STREET_STAFF}


class UserIn(BaseModel):
    """One user of the users file."""

    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@:-]+$")
    password_hash: str = Field(min_length=20, max_length=500)
    role: Role
    scope: str | None = Field(None, max_length=100, description="org node id (grid, community, street, district)")
    dept: str | None = Field(None, max_length=50)
    unit: str | None = Field(None, max_length=100)
    name: str | None = Field(None, max_length=100)


class UsersFile(BaseModel):
    """The users file."""

    model_config = ConfigDict(extra="forbid")
    version: int | str = 1
    users: list[UserIn] = []


@dataclass(frozen=True)
class User:
    """A user who can sign in: the stored hash and who they are once signed in."""

    username: str
    password_hash: str
    principal: Principal


def _user(u: UserIn, index: OrgIndex) -> User:
    if not is_password_hash(u.password_hash):
        raise ValueError("password_hash is not an Argon2 hash (python -m servicekit.auth.passwords)")
    if u.role is Role.DEPARTMENT_SYSTEM and u.dept not in index.departments:
        raise ValueError(f"department {u.dept!r} is not in the organisation")
    try:
        scope = index.scope_for(u.role, u.scope)
    except ScopeInvalid as exc:
        raise ValueError(str(exc)) from None
    principal = Principal(subject=u.username, role=u.role, scope=scope, name=u.name, unit_id=u.unit,
                          dept_code=u.dept if u.role is Role.DEPARTMENT_SYSTEM else None)
    return User(u.username, u.password_hash, principal)


def parse_users(text: str, *, name: str, index: OrgIndex) -> dict[str, User]:
    """Validate a users document against the organisation; FileInvalid lists every problem by line."""
    doc = parse_text(text, UsersFile, name=name)
    users: dict[str, User] = {}
    errors: list[str] = []
    seen: set[str] = set()
    for i, entry in enumerate(doc.users):
        if entry.username in seen:
            errors.append(error_at(name, text, ("users", i, "username"), f"duplicate user {entry.username!r}"))
            continue
        seen.add(entry.username)
        try:
            users[entry.username] = _user(entry, index)
        except ValueError as exc:
            errors.append(error_at(name, text, ("users", i), str(exc)))
    if errors:
        raise FileInvalid(errors)
    return users


def load_users(path: Path, index: OrgIndex) -> dict[str, User]:
    """Read and validate the users file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileInvalid([f"{path}:0: cannot read: {exc.strerror}"]) from None
    return parse_users(text, name=str(path), index=index)


def dev_users(index: OrgIndex, password_hash: str) -> dict[str, User]:
    """Dev mode: every grid worker, cadre, secretary and street centre by unit id, plus `operator`, `admin`
    and `dept-<code>`, all with the documented dev password."""
    users: dict[str, User] = {}
    for unit_id, (kind, name) in index.unit_roles.items():
        role = DEV_UNIT_ROLES.get(kind)
        if role is not None:
            users[unit_id] = User(unit_id, password_hash, Principal(
                unit_id, role, scope=index.unit_path(unit_id) or (), name=name, unit_id=unit_id))
    users["operator"] = User("operator", password_hash, Principal(
        "operator", Role.DISTRICT_OPERATOR, scope=(index.district_id,), name="区级运营（开发）"))
    users["admin"] = User("admin", password_hash, Principal("admin", Role.PLATFORM_ADMIN, name="平台管理员（开发）"))
    for code in index.departments:
        users[f"dept-{code}"] = User(f"dept-{code}", password_hash, Principal(
            f"dept-{code}", Role.DEPARTMENT_SYSTEM, dept_code=code, name=f"{code} 部门系统（开发）"))
    return users
