"""Validating report filters from query parameters: unknown names and bad dates are 4xx naming the field."""

from __future__ import annotations

from datetime import date

from fastapi import HTTPException, Request

from reports.domain.org import LEVELS
from reports.entrypoints.access import scoped_nodes
from reports.queries import Scope
from servicekit.auth.principal import Principal

SCOPE_PARAMS = (*LEVELS, "class", "category", "unit", "from", "to")


def bad(field: str, message: str) -> HTTPException:
    """A 422 whose detail names the offending field."""
    return HTTPException(422, detail=[{"loc": ["query", field], "msg": message, "type": "value_error", "field": field}])


def check_names(request: Request, allowed: tuple[str, ...]) -> None:
    """Reject any query parameter this endpoint does not know."""
    for name in request.query_params:
        if name not in allowed:
            raise bad(name, f"unknown filter {name!r}; allowed: {', '.join(allowed)}")


def parse_day(field: str, value: str | None) -> str | None:
    """A YYYY-MM-DD civil day or None; anything else is a 422 naming the field."""
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise bad(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def scope_from(request: Request, principal: Principal, extra: tuple[str, ...] = ()) -> Scope:
    """The Scope of the request's filters, checked by name and value and narrowed to the caller's subtree."""
    check_names(request, (*SCOPE_PARAMS, *extra))
    params = request.query_params
    day_from, day_to = parse_day("from", params.get("from")), parse_day("to", params.get("to"))
    if day_from and day_to and day_from > day_to:
        raise bad("to", "'to' is before 'from'")
    return Scope(
        nodes=scoped_nodes(request, principal, {lv: params[lv] for lv in LEVELS if params.get(lv)}),
        class_code=params.get("class") or None, category=params.get("category") or None,
        unit=params.get("unit") or None, day_from=day_from, day_to=day_to)
