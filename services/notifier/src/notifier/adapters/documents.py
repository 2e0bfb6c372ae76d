"""Stored shapes of the notifier's domain objects (dicts with aware UTC datetimes), in and out."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from notifier.domain.assets import Asset
from notifier.domain.calendar import Mode
from notifier.domain.case_clock import CaseClock, ClockStatus
from notifier.domain.timers import Deadline, Timer, TimerKind, TimerStatus


def utc(value: Any) -> datetime | None:
    """A stored instant as an aware UTC datetime (MongoDB may hand back naive UTC, SQLite ISO text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """An instant as fixed-width UTC ISO text, so that SQLite compares it in time order."""
    return None if value is None else value.astimezone(UTC).isoformat(timespec="microseconds")


def _deadline_doc(d: Deadline | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {"name": d.name, "start": utc(d.start), "due": utc(d.due), "mode": str(d.mode)}


def _deadline(doc: dict[str, Any] | None) -> Deadline | None:
    if not doc:
        return None
    return Deadline(doc["name"], utc(doc["start"]), utc(doc["due"]), Mode(doc["mode"]))  # type: ignore[arg-type]


def case_to_doc(case: CaseClock) -> dict[str, Any]:
    """The case clock as a document (version is kept by the repository)."""
    return {
        "case_id": case.case_id, "community_id": case.community_id, "tier": case.tier, "policy": case.policy,
        "status": str(case.status), "category_class": case.category_class, "sub_category": case.sub_category,
        "street_id": case.street_id, "district_id": case.district_id, "compound_id": case.compound_id,
        "grid_id": case.grid_id, "response": _deadline_doc(case.response), "resolution": _deadline_doc(case.resolution),
        "reminders_at": list(case.reminders_at), "paused_at": utc(case.paused_at), "updated_at": utc(case.updated_at),
        "units": list(case.units), "emergency": case.emergency,
    }


def case_from_doc(doc: dict[str, Any], version: int) -> CaseClock:
    """A stored case document back as the domain object."""
    return CaseClock(
        case_id=doc["case_id"], community_id=doc["community_id"], tier=int(doc["tier"]), policy=doc["policy"],
        status=ClockStatus(doc["status"]), category_class=doc.get("category_class"),
        sub_category=doc.get("sub_category"), street_id=doc.get("street_id"), district_id=doc.get("district_id"),
        compound_id=doc.get("compound_id"), grid_id=doc.get("grid_id"),
        response=_deadline(doc.get("response")), resolution=_deadline(doc.get("resolution")),
        reminders_at=tuple(doc.get("reminders_at") or ()), paused_at=utc(doc.get("paused_at")),
        updated_at=utc(doc.get("updated_at")), units=tuple(doc.get("units") or ()),
        emergency=bool(doc.get("emergency")), version=version,
    )


def timer_to_doc(timer: Timer) -> dict[str, Any]:
    """A timer as a flat document."""
    return {
        "timer_id": timer.timer_id, "case_id": timer.case_id, "community_id": timer.community_id,
        "deadline": timer.deadline, "kind": str(timer.kind), "fraction": timer.fraction, "tier": timer.tier,
        "due_at": utc(timer.due_at), "deadline_at": utc(timer.deadline_at), "status": str(timer.status),
        "lease_owner": timer.lease_owner, "lease_until": utc(timer.lease_until), "fired_at": utc(timer.fired_at),
    }


def timer_from_doc(doc: Any) -> Timer:
    """A stored timer (document or SQLite row) back as the domain object."""
    return Timer(
        timer_id=doc["timer_id"], case_id=doc["case_id"], community_id=doc["community_id"],
        deadline=doc["deadline"], kind=TimerKind(doc["kind"]), fraction=float(doc["fraction"]), tier=int(doc["tier"]),
        due_at=utc(doc["due_at"]), deadline_at=utc(doc["deadline_at"]),  # type: ignore[arg-type]
        status=TimerStatus(doc["status"]), lease_owner=doc["lease_owner"], lease_until=utc(doc["lease_until"]),
        fired_at=utc(doc["fired_at"]),
    )


def asset_to_doc(asset: Asset) -> dict[str, Any]:
    """An asset register entry as a document (dates as ISO text)."""
    return {"asset_id": asset.asset_id, "kind": asset.kind, "title": asset.title,
            "community_id": asset.community_id, "last_done": asset.last_done.isoformat(),
            "interval_months": asset.interval_months, "lead_days": asset.lead_days,
            "unit_ids": list(asset.unit_ids), "building": asset.building}


def asset_from_doc(doc: dict[str, Any]) -> Asset:
    """A stored asset back as the domain object."""
    return Asset(asset_id=doc["asset_id"], kind=doc["kind"], title=doc["title"], community_id=doc["community_id"],
                 last_done=date.fromisoformat(doc["last_done"]), interval_months=int(doc["interval_months"]),
                 lead_days=int(doc["lead_days"]), unit_ids=tuple(doc.get("unit_ids") or ()),
                 building=doc.get("building"))
