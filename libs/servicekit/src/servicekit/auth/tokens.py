"""Issuing the platform's bearer tokens and turning verified claims into a Principal."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import jwt

from servicekit.auth.keys import SigningKey
from servicekit.auth.orgindex import OrgIndex, ScopeInvalid
from servicekit.auth.principal import Principal
from servicekit.auth.roles import Role, parse_role

DEFAULT_ISSUER = "whistle-router"
DEFAULT_AUDIENCE = "whistle"


class TokenRejected(Exception):
    """A bearer token is forged, expired, for someone else, or names no usable role or scope."""


class TokenIssuer:
    """Signs short-lived EdDSA tokens for principals."""

    def __init__(self, key: SigningKey, *, issuer: str = DEFAULT_ISSUER, audience: str = DEFAULT_AUDIENCE) -> None:
        self.key = key
        self.issuer = issuer
        self.audience = audience

    def issue(self, principal: Principal, *, now: datetime, ttl: timedelta) -> str:
        """A signed token carrying role, scope node and path, department, name and unit."""
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": self.audience, "sub": principal.subject, "jti": uuid.uuid4().hex,
            "iat": int(now.timestamp()), "nbf": int(now.timestamp()), "exp": int((now + ttl).timestamp()),
            "role": str(principal.role),
        }
        optional = {"org": principal.scope_node, "org_path": list(principal.scope) or None,
                    "dept": principal.dept_code, "name": principal.name, "unit": principal.unit_id}
        claims.update({k: v for k, v in optional.items() if v})
        return jwt.encode(claims, self.key.private, algorithm="EdDSA", headers={"kid": self.key.kid})


def _role_of(claims: Mapping[str, Any]) -> Role:
    candidates: list[Any] = [claims.get("role")]
    for listed in (claims.get("roles"), (claims.get("realm_access") or {}).get("roles")):
        if isinstance(listed, list):
            candidates += listed
    for value in candidates:
        role = parse_role(value) if isinstance(value, str) else None
        if role is not None:
            return role
    raise TokenRejected("the token names no Whistle role")


def _scope_of(role: Role, claims: Mapping[str, Any], org: OrgIndex | None) -> tuple[str, ...]:
    node = claims.get("org")
    if org is not None:
        try:
            return org.scope_for(role, node if isinstance(node, str) else None)
        except ScopeInvalid as exc:
            raise TokenRejected(str(exc)) from None
    path = claims.get("org_path")
    if isinstance(path, list) and all(isinstance(p, str) for p in path) and (not path or path[-1] == node):
        return tuple(path)
    raise TokenRejected("the token's organisation scope cannot be resolved")


def principal_from_claims(claims: Mapping[str, Any], org: OrgIndex | None) -> Principal:
    """The caller named by verified claims; the scope's ancestry comes from this service's organisation file."""
    role = _role_of(claims)
    dept = claims.get("dept") if isinstance(claims.get("dept"), str) else None
    if role is Role.DEPARTMENT_SYSTEM and (not dept or (org is not None and dept not in org.departments)):
        raise TokenRejected("a department_system token must name a known department (dept claim)")
    scope = () if role in (Role.DEPARTMENT_SYSTEM, Role.PLATFORM_ADMIN) else _scope_of(role, claims, org)
    name, unit = claims.get("name"), claims.get("unit")
    return Principal(subject=str(claims["sub"]), role=role, scope=scope, dept_code=dept,
                     name=name if isinstance(name, str) else None, unit_id=unit if isinstance(unit, str) else None)
