"""Recording staff actions into the audit log (ASGI middleware) and reading it (GET /v1/audit, operators)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, FastAPI, Query, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.auth.audit import AuditEntry, AuditLog, AuditQuery, scope_key
from servicekit.auth.deps import require
from servicekit.auth.principal import Principal
from servicekit.auth.roles import OPERATORS, Role

RESOURCE_PARAMS = ("case_id", "request_id", "asset_id", "unit_id", "reply")
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
LogGetter = Callable[[FastAPI], AuditLog | None]


class AuditMiddleware:
    """After each request by an authenticated caller: writes, audited reads and refusals are appended."""

    def __init__(self, app: ASGIApp, *, service: str, log_of: LogGetter, audited_reads: Collection[str] = (),
                 logger: logging.Logger | None = None) -> None:
        self.app = app
        self.service = service
        self.log_of = log_of
        self.audited_reads = set(audited_reads)
        self.logger = logger or logging.getLogger(service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = {"code": 500}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            entry = self._entry(scope, status["code"])  # most requests (residents, reads) need no entry
            if entry is not None:
                with anyio.CancelScope(shield=True):  # a cancelled request is still recorded, and completely
                    await self._append(scope, entry)

    def _entry(self, scope: Scope, status: int) -> AuditEntry | None:
        state = scope.get("state") or {}
        principal: Principal | None = state.get("principal")
        route = scope.get("route")
        name = getattr(route, "name", None) or "unknown"
        if principal is None or not (scope["method"] in WRITES or name in self.audited_reads or status == 403):
            return None
        params = scope.get("path_params") or {}
        resource = next((str(params[p]) for p in RESOURCE_PARAMS if p in params), None)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", [])}
        return AuditEntry.of(
            principal, place=state.get("audit_place"), at=datetime.now(UTC), service=self.service, action=name,
            method=scope["method"], path=str(scope.get("path", ""))[:500], status=status,
            ip=(scope.get("client") or ("unknown",))[0], resource=resource,
            user_agent=headers.get("user-agent", "")[:200] or None, detail=dict(state.get("audit_detail") or {}))

    async def _append(self, scope: Scope, entry: AuditEntry) -> None:
        store = self.log_of(scope["app"])
        if store is None:
            return
        try:
            await store.append(entry)
        except Exception:
            self.logger.exception("audit entry not stored", extra={"action": entry.action, "actor": entry.actor})


def install_audit(app: FastAPI, *, service: str, log_of: LogGetter, audited_reads: Collection[str] = ()) -> None:
    """Record staff actions of this app (writes, the named reads, and every 403)."""
    app.add_middleware(AuditMiddleware, service=service, log_of=log_of, audited_reads=audited_reads)


def audit_router(log_of: LogGetter, roles: tuple[Role, ...] = OPERATORS) -> APIRouter:
    """GET /v1/audit for operators; entries outside the caller's subtree are never listed."""
    router = APIRouter(prefix="/v1/audit", tags=["audit"])
    guard = require(*roles)

    @router.get("", summary="Audit log of staff actions, newest first (operators)")
    async def audit(request: Request, principal: Principal = Depends(guard),
                    actor: Annotated[str | None, Query(max_length=200)] = None,
                    resource: Annotated[str | None, Query(max_length=200)] = None,
                    action: Annotated[str | None, Query(max_length=100)] = None,
                    since: datetime | None = None, until: datetime | None = None,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
        store = log_of(request.app)
        within = "/" if principal.role is Role.PLATFORM_ADMIN else scope_key(principal.scope)
        if store is None or (principal.role is not Role.PLATFORM_ADMIN and within == "/"):
            return {"entries": []}
        query = AuditQuery(within=within, actor=actor, resource=resource, action=action, since=_aware(since),
                           until=_aware(until), limit=limit)
        return {"entries": [e.as_dict() for e in await store.query(query)]}

    return router


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)
