"""HTTP boundary schemas: how a case is shown (never the sealed contact)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import HTTPException
from pydantic import BaseModel

from router.domain.case import Case


class CaseOut(BaseModel):
    """A case as the API shows it."""

    case_id: str
    status: str
    community_id: str
    place: dict[str, Any]
    title: str | None
    text: str
    class_code: str
    sub_category: str | None
    domain: str | None
    classified_by: str
    confidence: float | None
    tier: int
    sla_policy: str
    emergency: bool
    needs_triage: bool
    units: list[dict[str, Any]]
    departments: list[str]
    dept_status: dict[str, str]
    request_ids: list[str]
    tracking_codes: list[str]
    history: list[dict[str, Any]]
    progress: list[dict[str, Any]]
    suggestion: dict[str, Any] | None
    triage_decision: dict[str, Any] | None
    resolution: str | None
    submitted_at: datetime
    routed_at: datetime
    updated_at: datetime
    version: int

    @classmethod
    def of(cls, case: Case) -> CaseOut:
        """Build the view of a domain case."""
        fields = {name: getattr(case, name) for name in cls.model_fields if hasattr(case, name)}
        return cls(**{**fields, "tracking_codes": [r.get("tracking_code") for r in case.reporters
                                                   if r.get("tracking_code")]})


def unprocessable(location: str, *messages: str) -> HTTPException:
    """422 shaped like FastAPI's own validation errors (`detail` = [{loc, msg, type}]), as the OpenAPI says."""
    return HTTPException(422, [{"loc": location.split("."), "msg": m, "type": "value_error"} for m in messages])
