"""API keys: staff/admin key for the staff, triage and admin API; one key per department for its replies."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Header, HTTPException, Request


def _settings(request: Request):  # type: ignore[no-untyped-def]
    return request.app.state.router.settings


async def require_staff(request: Request, x_api_key: Annotated[str | None, Header()] = None) -> None:
    """When ROUTER_ADMIN_API_KEY is set, the X-API-Key header must match it (dev mode without a key: open)."""
    settings = _settings(request)
    expected = settings.admin_api_key
    if expected is None:
        if settings.dev_mode:
            return
        raise HTTPException(503, "ROUTER_ADMIN_API_KEY is not configured")
    if not x_api_key or not hmac.compare_digest(x_api_key, expected):
        raise HTTPException(401, "missing or wrong X-API-Key")


def department_of_key(request: Request, key: str | None) -> str:
    """The department whose API key this is; 401 otherwise."""
    if key:
        for code, expected in _settings(request).department_keys.items():
            if hmac.compare_digest(key, expected):
                return str(code)
    raise HTTPException(401, "missing or unknown department X-API-Key")
