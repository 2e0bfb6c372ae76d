"""FastAPI dependencies: who is calling, which roles an endpoint admits, and the scope check on a place."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from servicekit.auth.authn import Authenticator, CredentialRejected
from servicekit.auth.principal import Principal, in_scope
from servicekit.auth.roles import Role

BEARER = HTTPBearer(auto_error=False, scheme_name="bearer",
                    description="OAuth2 bearer token (JWT): POST /v1/auth/token on the router, or the OIDC provider")
API_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="apiKey",
                       description="a department system's API key")
_CHECKED = "auth_checked"


class AuthError(HTTPException):
    """401 (no or bad credentials) or 403 (role or scope not allowed); `field` names what is wrong."""

    def __init__(self, status: int, message: str, field: str = "Authorization") -> None:
        headers = {"WWW-Authenticate": 'Bearer realm="whistle"'} if status == 401 else None
        super().__init__(status, detail=message, headers=headers)
        self.field = field
        self.message = message


def authenticator(request: Request) -> Authenticator:
    """The app's authenticator (set in create_app)."""
    return request.app.state.auth  # type: ignore[no-any-return]


async def resolve_principal(request: Request, *, allow_anonymous: bool) -> Principal | None:
    """Authenticate once per request and remember the result for the audit log."""
    if getattr(request.state, _CHECKED, False):
        found: Principal | None = request.state.principal
        if found is None and allow_anonymous:
            found = authenticator(request).anonymous
            request.state.principal = found
        return found
    auth = authenticator(request)
    try:
        found = await auth.authenticate(request)
    except CredentialRejected as exc:
        raise AuthError(401, f"credentials rejected: {exc}") from None
    if found is None and allow_anonymous:
        found = auth.anonymous
    request.state.principal = found
    setattr(request.state, _CHECKED, True)
    return found


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting only `roles`: 401 without valid credentials, 403 for another role."""
    allowed = tuple(roles)

    async def dependency(request: Request, _bearer: HTTPAuthorizationCredentials | None = Security(BEARER),
                         _api_key: str | None = Security(API_KEY)) -> Principal:
        principal = await resolve_principal(request, allow_anonymous=True)
        if principal is None:
            raise AuthError(401, "credentials required (Authorization: Bearer <token>)")
        if principal.role not in allowed:
            raise AuthError(403, f"role {principal.role} may not do this")
        return principal

    dependency.allowed_roles = allowed  # type: ignore[attr-defined]
    return dependency


async def optional_principal(request: Request, _bearer: HTTPAuthorizationCredentials | None = Security(BEARER),
                             _api_key: str | None = Security(API_KEY)) -> Principal | None:
    """The caller when credentials were sent (never the dev anonymous one), else None; 401 for bad ones."""
    return await resolve_principal(request, allow_anonymous=False)


def authorize_place(request: Request, principal: Principal, place: Sequence[str], *, what: str = "this") -> None:
    """403 unless `place` is in the caller's subtree; remembers the place for the audit log."""
    request.state.audit_place = tuple(place)
    if not in_scope(principal, place):
        raise AuthError(403, f"{what} is outside your scope", field="scope")


def allowed_roles(dependency: Any) -> tuple[Role, ...] | None:
    """The roles a `require(...)` dependency admits (for the security tests' endpoint table)."""
    return getattr(dependency, "allowed_roles", None)
