"""Statuses and the plain-Chinese timeline, advanced by case lifecycle events (pure)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from intake.domain.model import IntakeRequest, TimelineEntry

STATUS_LABELS: dict[str, str] = {
    "submitted": "已受理",
    "assigned": "已分派",
    "in_progress": "处理中",
    "resolved": "已办结",
    "closed": "已评价办结",
    "cancelled": "已撤销",
}
TERMINAL = frozenset({"closed", "cancelled"})
OPEN_STATUSES = ("submitted", "assigned", "in_progress")


def _units(data: dict[str, Any]) -> str | None:
    names = [u.get("name") for u in data.get("units", []) if u.get("name")]
    return "、".join(names) if names else None


def _entry(event_type: str, data: dict[str, Any]) -> tuple[str | None, str, str | None]:
    """(new status or None, label, note) for one case event."""
    reason = data.get("reason")
    match event_type:
        case "case.routed.v1":
            return "assigned", "已分派", f"由{_units(data)}办理" if _units(data) else None
        case "case.merged.v1":
            return "assigned", "已并案", "与相同问题合并办理"
        case "case.accepted.v1":
            return "in_progress", "处理中", "承办单位已接单"
        case "case.progress.v1":
            return "in_progress", "处理进展", reason
        case "case.escalated.v1":
            return "in_progress", "已升级", f"已提级由{_units(data)}协调办理" if _units(data) else "已提级协调办理"
        case "case.returned.v1":
            return "assigned", "重新分派", reason
        case "case.resolved.v1":
            return "resolved", "已办结", data.get("resolution") or reason
        case "case.reopened.v1":
            return "in_progress", "重新办理", reason or "您对办理结果不满意，已重新交办"
        case "case.closed.v1":
            return "closed", "已办结归档", None
        case "case.cancelled.v1":
            return "cancelled", "已撤销", reason
    return None, "", None


def _insert(req: IntakeRequest, entry: TimelineEntry) -> None:
    """Keep the timeline in time order even when events arrive out of order."""
    at = len(req.timeline)
    while at > 0 and req.timeline[at - 1].at > entry.at:
        at -= 1
    req.timeline.insert(at, entry)


def apply_case_event(req: IntakeRequest, *, event_id: str, event_type: str, data: dict[str, Any],
                     occurred_at: datetime) -> bool:
    """Advance status, unit, deadline and timeline; False when already applied or irrelevant."""
    if event_id in req.applied_events:
        return False
    if event_type == "sla.scheduled.v1":
        due = data.get("resolution_due")
        if not due:
            return False
        req.deadline = datetime.fromisoformat(due)
        _insert(req, TimelineEntry(occurred_at, req.status, "办理时限已确定", None))
    else:
        status, label, note = _entry(event_type, data)
        if status is None or req.status in TERMINAL:
            return False
        if req.status_at is None or occurred_at >= req.status_at:  # events may arrive out of order
            req.status, req.status_at = status, occurred_at
            if status in TERMINAL:
                req.closed_at = occurred_at
            if event_type == "case.reopened.v1":
                req.feedback = None  # a new resolution will be rated again
        if data.get("case_id"):
            req.case_id = data["case_id"]
        if _units(data):
            req.unit_name = _units(data)
        _insert(req, TimelineEntry(occurred_at, status, label, note))
    req.applied_events = [*req.applied_events, event_id][-50:]
    return True
