"""Mapping a domain Case to the stored document (JSON-safe) and back."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from router.domain.case import Case

DATETIME_FIELDS = ("submitted_at", "routed_at", "updated_at")


def case_to_doc(case: Case) -> dict[str, Any]:
    """A JSON-safe dict of the case (datetimes as ISO 8601 with offset)."""
    doc = dataclasses.asdict(case)
    for name in DATETIME_FIELDS:
        doc[name] = getattr(case, name).isoformat()
    return doc


def case_from_doc(doc: dict[str, Any]) -> Case:
    """Rebuild a case from its stored dict, ignoring fields this version does not know."""
    known = {f.name for f in dataclasses.fields(Case)}
    values = {k: v for k, v in doc.items() if k in known}
    for name in DATETIME_FIELDS:
        values[name] = datetime.fromisoformat(values[name])
    return Case(**values)
