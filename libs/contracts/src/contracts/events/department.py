"""Replies that department systems publish about a whistled case."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from contracts.envelope import EventData


class DeptReply(EventData):
    """Base of department replies: which department, which case, what it says."""

    case_id: str
    dept_code: str
    note: str | None = Field(default=None, max_length=2000)
    handler: str | None = Field(default=None, max_length=100, description="the officer's name or number")
    occurred_at: AwareDatetime


class DeptCaseAccepted(DeptReply):
    """The department reported (报到) and accepted the case."""

    event_type: ClassVar[str] = "dept.case.accepted.v1"


class DeptCaseProgress(DeptReply):
    """The department reported progress."""

    event_type: ClassVar[str] = "dept.case.progress.v1"


class DeptCaseResolved(DeptReply):
    """The department finished its part of the case."""

    event_type: ClassVar[str] = "dept.case.resolved.v1"


class DeptCaseReturned(DeptReply):
    """The department says the case is not its jurisdiction."""

    event_type: ClassVar[str] = "dept.case.returned.v1"
