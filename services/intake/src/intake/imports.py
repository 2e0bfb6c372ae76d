"""Use case: import a batch of 12345 work orders; bad rows reported by line, re-imports skip duplicates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from intake.adapters.repository import DuplicateRequest
from intake.domain import hotline
from intake.domain.validation import InputRejected, from_pydantic
from intake.entrypoints.schemas import SubmitRequestIn
from intake.handlers import Intake


async def import_hotline(intake: Intake, text: str, *, is_json: bool, staff: str, now: datetime,
                         allowed: Callable[[str | None, str | None], bool] = lambda _c, _b: True) -> dict[str, Any]:
    """Import every readable order the caller may file (`allowed`); counts, requests, duplicates, errors by line."""
    rows, errors = hotline.parse_json(text) if is_json else hotline.parse_csv(text)
    created: list[dict[str, Any]] = []
    duplicates: list[dict[str, Any]] = []
    for row in rows:
        missing = hotline.missing_fields(row)
        if missing:
            errors += [{"line": row.line, "field": m, "message": "必填项为空"} for m in missing]
            continue
        try:
            body = SubmitRequestIn.model_validate_json(_json(hotline.submission(row)))
        except ValueError as exc:
            errors += _row_errors(row.line, exc)
            continue
        if not allowed(body.compound_id, body.location.building if body.location else None):
            errors.append({"line": row.line, "field": "compound_id", "message": "该小区不在您的管辖范围内"})
            continue
        earlier = await intake.repo.by_external_ref(row.fields["order_no"])
        if earlier is not None:
            seen = allowed(earlier.compound_id, earlier.building)  # never reveal another subtree's request
            duplicates.append({"line": row.line, "order_no": row.fields["order_no"],
                               **({"id": earlier.id, "tracking_code": earlier.tracking_code} if seen else {})})
            continue
        try:
            outcome = await intake.submit(body, now=now, submitted_by=staff)
        except ValueError as exc:
            errors += _row_errors(row.line, exc)
            continue
        except InputRejected as exc:
            errors += [{"line": row.line, "field": e.field, "message": e.message} for e in exc.errors]
            continue
        except DuplicateRequest:
            duplicates.append({"line": row.line, "order_no": row.fields["order_no"]})
            continue
        created.append({"line": row.line, "order_no": row.fields["order_no"], "id": outcome.request.id,
                        "tracking_code": outcome.request.tracking_code})
    return {"imported": len(created), "duplicates": duplicates, "errors": sorted(errors, key=lambda e: e["line"]),
            "requests": created}


def _json(body: dict[str, Any]) -> str:
    import json

    return json.dumps(body, ensure_ascii=False)


def _row_errors(line: int, exc: ValueError) -> list[dict[str, Any]]:
    if isinstance(exc, ValidationError):
        return [{"line": line, "field": e.field, "message": e.message}
                for e in from_pydantic(exc.errors())]  # type: ignore[arg-type]
    return [{"line": line, "field": "deadline", "message": "时限格式不正确，应为 2026-11-21 18:00"}]
