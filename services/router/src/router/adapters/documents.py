"""Mapping a domain Case to the stored document (JSON-safe) and back."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from router.domain.case import Case

DATETIME_FIELDS = ("submitted_at", "routed_at", "updated_at")
FIELDS = tuple(f.name for f in dataclasses.fields(Case))
_KNOWN = frozenset(FIELDS)


def case_to_doc(case: Case) -> dict[str, Any]:
    """A JSON-safe dict of the case (datetimes as ISO 8601 with offset), serialised at once by the caller.

    The nested records are plain dicts and lists, shared with the case rather than deep-copied as
    `dataclasses.asdict` would (a tenth of the cost): encode the dict before changing the case again.
    """
    doc = {name: getattr(case, name) for name in FIELDS}
    for name in DATETIME_FIELDS:
        doc[name] = doc[name].isoformat()
    return doc


def case_from_doc(doc: dict[str, Any]) -> Case:
    """Rebuild a case from its stored dict, ignoring fields this version does not know."""
    values = {k: v for k, v in doc.items() if k in _KNOWN}
    for name in DATETIME_FIELDS:
        values[name] = datetime.fromisoformat(values[name])
    return Case(**values)
