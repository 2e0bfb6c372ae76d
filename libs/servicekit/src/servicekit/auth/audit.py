"""The append-only audit log of staff actions: who, what, which case, when, from where, with what outcome."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from servicekit.auth.principal import Principal


def scope_key(path: Sequence[str]) -> str:
    """A path as a prefix-searchable string: ('qc', 'qc-jh') → '/qc/qc-jh/'."""
    return "/" + "".join(f"{p}/" for p in path) if path else "/"


@dataclass(frozen=True)
class AuditEntry:
    """One staff action (or refused attempt) as it happened."""

    at: datetime
    service: str
    actor: str
    role: str
    via: str
    action: str
    method: str
    path: str
    status: int
    ip: str
    resource: str | None = None
    place: str = "/"
    dept_code: str | None = None
    user_agent: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    entry_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly."""
        return {**asdict(self), "at": self.at.isoformat()}

    @classmethod
    def of(cls, principal: Principal, *, place: Sequence[str] | None, **values: Any) -> AuditEntry:
        """An entry for a principal; the place is the resource's when known, else the actor's scope."""
        return cls(actor=principal.subject, role=str(principal.role), via=principal.via,
                   dept_code=principal.dept_code, place=scope_key(place if place is not None else principal.scope),
                   **values)


@dataclass(frozen=True)
class AuditQuery:
    """Filters of GET /v1/audit; `within` limits entries to a subtree ('/' = everything)."""

    within: str = "/"
    actor: str | None = None
    resource: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100


class AuditLog(Protocol):
    """Append and read; there is no update and no delete."""

    async def append(self, entry: AuditEntry) -> None:
        """Store one entry."""
        ...

    async def query(self, query: AuditQuery) -> list[AuditEntry]:
        """Entries matching every filter, newest first."""
        ...

    async def close(self) -> None:
        """Release the store."""
        ...
