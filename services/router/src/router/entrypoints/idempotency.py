"""Idempotency-Key on staff actions: a retry with the same body changes nothing, another body is a 409."""

from __future__ import annotations

import hashlib

from fastapi import HTTPException, Request
from pydantic import BaseModel

from router.handlers.context import Context


async def http_event_id(ctx: Context, request: Request, scope: str, key: str | None, body: BaseModel) -> str | None:
    """`http:<scope>:<key>:<digest of path and body>`, or None without a key; 409 when the key was used on this
    case with another request (two racing first uses with different bodies may both apply)."""
    if key is None:
        return None
    digest = hashlib.sha256(f"{request.url.path}\n{body.model_dump_json()}".encode()).hexdigest()[:16]
    event_id = f"http:{scope}:{key}:{digest}"
    if not await ctx.repo.was_applied(event_id) and await ctx.repo.applied_with_prefix(f"http:{scope}:{key}:"):
        raise HTTPException(409, "this Idempotency-Key was already used with another request")
    return event_id
