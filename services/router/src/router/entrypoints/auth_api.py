"""Signing in (OAuth2 password grant, RFC 6749 §4.3), the public key set, and who am I."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse

from router.entrypoints.security import RouterSecurity
from servicekit.auth.deps import require
from servicekit.auth.keys import jwks
from servicekit.auth.passwords import verify_password
from servicekit.auth.principal import Principal
from servicekit.auth.roles import ALL_ROLES

router = APIRouter(tags=["auth"])
me_router = APIRouter(tags=["auth"])
ANY_CALLER = require(*ALL_ROLES)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
TOKEN_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "RFC 6749 error: invalid_request, invalid_grant or unsupported_grant_type"},
    429: {"description": "too many failed attempts (Retry-After)"}}


def _security(request: Request) -> RouterSecurity:
    return request.app.state.security  # type: ignore[no-any-return]


def _error(status: int, error: str, description: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status,
                        headers={**NO_STORE, **(headers or {})})


@router.post("/v1/auth/token", summary="Sign in: OAuth2 password grant → bearer token (JWT)", responses=TOKEN_ERRORS)
async def token(
    request: Request,
    grant_type: Annotated[str | None, Form(max_length=50)] = None,
    username: Annotated[str | None, Form(max_length=100)] = None,
    password: Annotated[str | None, Form(max_length=1000)] = None,
) -> JSONResponse:
    """`application/x-www-form-urlencoded` grant_type=password, username, password; answers access_token."""
    security = _security(request)
    if grant_type != "password":
        return _error(400, "unsupported_grant_type", "only grant_type=password is supported")
    if not username or not password:
        return _error(400, "invalid_request", "username and password are required")
    address = request.client.host if request.client else "unknown"
    wait = security.limiter.retry_after(username, address)
    if wait:
        return _error(429, "slow_down", "too many failed attempts", {"Retry-After": str(wait)})
    user = security.users.get(username)
    matched = await asyncio.to_thread(verify_password, user.password_hash if user else None, password)
    if user is None or not matched or security.issuer is None:
        security.limiter.failed(username, address)
        return _error(400, "invalid_grant", "wrong user name or password")
    issued = security.issuer.issue(user.principal, now=datetime.now(UTC), ttl=security.ttl)
    return JSONResponse({"access_token": issued, "token_type": "Bearer",
                         "expires_in": int(security.ttl.total_seconds()), "role": str(user.principal.role),
                         "scope_node": user.principal.scope_node}, headers=NO_STORE)


@router.get("/.well-known/jwks.json", summary="The public keys that verify the router's tokens")
async def public_keys(request: Request) -> JSONResponse:
    """Every configured signing key's public half (the signing key and those kept for rotation)."""
    return JSONResponse(jwks(_security(request).keys), headers={"Cache-Control": "public, max-age=300"})


@router.get("/v1/auth/me", summary="Who the presented credentials belong to")
@me_router.get("/v1/auth/me", summary="Who the presented credentials belong to")
async def me(principal: Annotated[Principal, Depends(ANY_CALLER)]) -> dict[str, object]:
    """Subject, role, scope and department."""
    return principal.as_dict()
