"""Case facts as table rows for lists and exports, and what makes an open case overdue at a given instant."""

from __future__ import annotations

from datetime import datetime

from contracts.categories import BY_CODE, CLASSES
from contracts.channels import CHANNEL_NAMES, Channel
from reports.domain.facts import CaseFact
from reports.domain.org import OrgIndex
from reports.domain.rollups import SHANGHAI

STATUS_NAMES = {
    "routed": "已分派", "accepted": "已响应", "in_progress": "处理中", "escalated": "已升级", "returned": "已退回",
    "resolved": "已解决", "reopened": "重新办理", "closed": "已办结", "cancelled": "已撤销",
}
COLUMNS = (
    ("case_id", "案件编号"), ("created", "受理时间"), ("street", "街道"), ("community", "社区"),
    ("compound", "小区"), ("grid", "网格"), ("class", "类别"), ("category", "子类"), ("unit", "承办单位"),
    ("channel", "渠道"), ("status", "状态"), ("responded", "首次响应"), ("resolved", "解决时间"),
    ("overdue", "超期"), ("satisfied", "满意度"), ("reopens", "重办次数"), ("requests", "诉求数"),
)


def overdue_kind(fact: CaseFact, now: datetime) -> str | None:
    """"response" or "resolution" when an open case is past that deadline (by event or by clock), else None."""
    if not fact.is_open or fact.status == "cancelled":
        return None
    if fact.first_response_at is None and (
            fact.response_breached or (fact.response_due is not None and fact.response_due < now)):
        return "response"
    if fact.resolution_breached or (fact.resolution_due is not None and fact.resolution_due < now):
        return "resolution"
    return None


def _local(moment: datetime | None) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") if moment else ""


def _channel(code: str | None) -> str:
    try:
        return CHANNEL_NAMES[Channel(code)] if code else ""
    except ValueError:
        return code or ""


def case_row(fact: CaseFact, org: OrgIndex, now: datetime) -> dict[str, str | int]:
    """One case as a row with Chinese names (keys are COLUMNS' first elements)."""
    path = org.path(district=fact.district_id, street=fact.street_id, community=fact.community_id,
                    compound=fact.compound_id, grid=fact.grid_id)
    overdue = overdue_kind(fact, now)
    category = BY_CODE.get(fact.sub_category or "")
    return {
        "case_id": fact.case_id, "created": _local(fact.created_at),
        "street": org.name(path["street"]) if path["street"] else "",
        "community": org.name(fact.community_id), "compound": org.name(fact.compound_id) if fact.compound_id else "",
        "grid": org.name(fact.grid_id) if fact.grid_id else "",
        "class": CLASSES.get(fact.class_code or "", fact.class_code or ""),
        "category": category.name if category else (fact.sub_category or ""),
        "unit": fact.unit_name or org.name(fact.unit_id), "channel": _channel(fact.channel),
        "status": STATUS_NAMES.get(fact.status or "", fact.status or ""),
        "responded": _local(fact.first_response_at), "resolved": _local(fact.resolved_at),
        "overdue": {"response": "响应超期", "resolution": "办理超期"}.get(overdue or "", ""),
        "satisfied": "" if fact.satisfied is None else ("满意" if fact.satisfied else "不满意"),
        "reopens": fact.reopen_count, "requests": len(fact.request_ids),
    }
