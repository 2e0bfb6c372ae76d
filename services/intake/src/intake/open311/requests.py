"""Mapping between GeoReport v2 requests and intake's: POST parameters in, public request views out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from contracts.categories import BY_CODE
from intake.domain.model import CIVIL_TZ, IntakeRequest
from intake.domain.org import Directory
from intake.domain.timeline import OPEN_STATUSES
from intake.open311.formats import Open311Error
from intake.open311.services import EXTRA_ATTRIBUTES

SERVICE_NOTICE = "已受理，承办单位确定后将在办理时限内处理；进度可凭查询码（token）查询。"


def open_or_closed(status: str) -> str:
    """Our statuses mapped to the standard's two."""
    return "open" if status in OPEN_STATUSES else "closed"


def _w3c(moment: datetime | None) -> str | None:
    return moment.astimezone(CIVIL_TZ).isoformat(timespec="seconds") if moment else None


def public_view(req: IntakeRequest, directory: Directory) -> dict[str, Any]:
    """A request as GET requests shows it: no contact data of any kind."""
    compound = directory.get(req.compound_id)
    place = " ".join(p for p in (compound.name if compound else None,
                                 f"{req.building}号楼" if req.building else None, req.address) if p)
    last = req.timeline[-1] if req.timeline else None
    category = BY_CODE.get(req.sub_category or "")
    return {
        "service_request_id": req.id, "status": open_or_closed(req.status),
        "status_notes": f"{last.label}：{last.note}" if last and last.note else (last.label if last else None),
        "service_name": category.name if category else None, "service_code": req.sub_category,
        "description": req.text, "agency_responsible": req.unit_name, "service_notice": SERVICE_NOTICE,
        "requested_datetime": _w3c(req.submitted_at), "updated_datetime": _w3c(last.at if last else req.submitted_at),
        "expected_datetime": _w3c(req.deadline), "address": place or None, "address_id": None, "zipcode": None,
        "lat": req.lat, "long": req.lon, "media_url": req.media_url,
    }


def _require(params: Mapping[str, str], name: str) -> str:
    value = (params.get(name) or "").strip()
    if not value:
        raise Open311Error(400, f"{name} is required / 缺少参数 {name}")
    return value


def _number(params: Mapping[str, str], name: str) -> float | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError as exc:
        raise Open311Error(400, f"{name} must be a number / {name} 应为数字") from exc


def submission(params: Mapping[str, str]) -> dict[str, Any]:
    """POST requests parameters → the body of POST /v1/requests (validated afterwards)."""
    code = _require(params, "service_code")
    category = BY_CODE.get(code)
    if category is None:
        raise Open311Error(400, f"service_code {code} is not a valid service / 服务类别不存在")
    lat, lon = _number(params, "lat"), _number(params, "long")
    if (lat is None) != (lon is None):
        raise Open311Error(400, "lat and long must be given together / lat 与 long 须同时提供")
    address = (params.get("address_string") or params.get("address_id") or "").strip() or None
    if lat is None and not address:
        raise Open311Error(400, "lat and long, address_string or address_id is required / 请提供坐标或地址")
    compound = _require(params, "attribute[compound]")
    text = _require(params, "description")
    extras = []
    for attr in EXTRA_ATTRIBUTES.get(code, []):
        chosen = params.get("attribute[" + attr["code"] + "]")
        names = {v["key"]: v["name"] for v in attr["values"]}
        if chosen:
            extras.append(f"{attr['description']}：{names.get(chosen, chosen)}")
    body: dict[str, Any] = {"compound_id": compound, "text": text if not extras else f"{text}（{'；'.join(extras)}）",
                            "channel": "open311", "category": {"class_code": category.class_code, "sub_category": code}}
    location = {"lat": lat, "lon": lon, "address": address, "building": params.get("attribute[building]"),
                "unit": params.get("attribute[unit]"), "room": params.get("attribute[room]")}
    body["location"] = {k: v for k, v in location.items() if v not in (None, "")}
    name = full_name(params.get("first_name"), params.get("last_name"))
    phone = (params.get("phone") or "").strip() or None
    if name or phone:
        body["contact"] = {k: v for k, v in (("name", name), ("phone", phone)) if v}
    return body


def full_name(first: str | None, last: str | None) -> str | None:
    """Family name first and no space for Chinese (王芳); given name first for Latin names (Fang Wang)."""
    first, last = (first or "").strip(), (last or "").strip()
    if first.isascii() and last.isascii():
        return " ".join(p for p in (first, last) if p) or None
    return last + first


# Our field paths → the GeoReport v2 parameter a client sent, so errors name what the client knows.
PARAMETERS = {"text": "description", "compound_id": "attribute[compound]", "contact.phone": "phone",
              "contact.name": "first_name/last_name", "location.lat": "lat", "location.lon": "long",
              "location.address": "address_string", "location.building": "attribute[building]",
              "location.unit": "attribute[unit]", "location.room": "attribute[room]",
              "category.class_code": "service_code", "category.sub_category": "service_code"}


def parameter(field: str) -> str:
    """The GeoReport v2 parameter behind one of our field paths."""
    return PARAMETERS.get(field, field)


def parse_date(params: Mapping[str, str], name: str) -> datetime | None:
    """A w3c datetime parameter; naive times are Asia/Shanghai."""
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Open311Error(400, f"{name} must be a w3c datetime, e.g. 2026-11-21T08:00:00+08:00") from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=CIVIL_TZ)).astimezone(UTC)
