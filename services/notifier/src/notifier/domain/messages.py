"""The texts people receive (Chinese), one function per occasion; pure, times shown in Shanghai time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from notifier.domain.notifications import SHANGHAI

DEADLINE_NAMES = {"response": "响应", "resolution": "办结"}
RESIDENT_STATUS = {
    "case.accepted.v1": ("case.accepted", "您的诉求已受理",
                         "您反映的诉求（{ref}）已由承办单位受理，正在处理，请保持电话畅通。"),
    "case.resolved.v1": ("case.return_visit", "诉求已办结，请您评价",
                         "您反映的诉求（{ref}）已办结。请问您对办理结果是否满意？请回复“满意”或“不满意”，"
                         "也可在扫码页面评价。"),
    "case.closed.v1": ("case.closed", "诉求已结案", "您反映的诉求（{ref}）已结案，感谢您对社区工作的支持。"),
    "case.reopened.v1": ("case.reopened", "诉求已重新办理",
                         "您反映的诉求（{ref}）已重新派单办理，我们会尽快给您答复。"),
}


@dataclass(frozen=True)
class Message:
    """A rendered message: template name (for records), title and text."""

    template: str
    title: str
    text: str


def _local(at: datetime) -> str:
    return at.astimezone(SHANGHAI).strftime("%m月%d日 %H:%M")


def sla_warning(*, case_id: str, deadline: str, due_at: datetime, fraction: float) -> Message:
    """To the assignees: a deadline is getting close."""
    name = DEADLINE_NAMES.get(deadline, deadline)
    return Message("sla.warning", f"【吹哨】诉求{name}时限临近",
                   f"案件 {case_id} 的{name}时限将于 {_local(due_at)} 到期"
                   f"（已用去 {fraction:.0%} 的时间），请尽快处理。")


def sla_breach(*, case_id: str, deadline: str, due_at: datetime, tier: int) -> Message:
    """To the supervisor: a deadline passed; the case climbs a tier."""
    name = DEADLINE_NAMES.get(deadline, deadline)
    return Message("sla.breached", f"【督办】诉求{name}超时",
                   f"案件 {case_id} 已超过{name}时限（{_local(due_at)}），当前第 {tier} 级，已自动提级处置，请督办。")


def whistle(*, dept_name: str, summary: str, address: str | None, minutes: int | None) -> Message:
    """To a department: 吹哨报到."""
    where = f"（地点：{address}）" if address else ""
    within = f"请在 {minutes} 分钟内报到。" if minutes else "请尽快报到。"
    return Message("whistle.issued", f"【吹哨报到】{dept_name}", f"{summary[:300]}{where}。{within}")


def hotspot(*, place: str, terms: list[str], count: int) -> Message:
    """To a community's staff: a hot issue is rising (未诉先办)."""
    return Message("hotspot.detected", f"【热点预警】{place}",
                   f"{place} 近期集中出现“{'、'.join(terms[:5])}”相关诉求 {count} 件，请提前研判、主动处置。")


def reminder(*, title: str, due: datetime, again: bool) -> Message:
    """To grid workers and the secretary: a scheduled task is due (e.g. an elevator's annual inspection)."""
    lead = "已到期且尚无记录，请尽快安排" if again else "即将到期，请提前安排"
    day = due.astimezone(SHANGHAI).strftime("%Y年%m月%d日")
    return Message("reminder.due", f"【到期提醒】{title}", f"{title}将于 {day} 到期，{lead}。")


def resident_update(event_type: str, *, ref: str) -> Message | None:
    """To the resident: a status change of their request, or the return-visit question; None if not shown."""
    known = RESIDENT_STATUS.get(event_type)
    if known is None:
        return None
    template, title, text = known
    return Message(template, title, text.format(ref=ref))


def duty_arrival(*, case_id: str, summary: str | None, response_due: datetime | None) -> Message:
    """To the unit on duty tonight: a case arrived outside working hours."""
    due = f"，须于 {_local(response_due)} 前响应" if response_due else ""
    return Message("duty.arrival", "【值班】夜间新诉求", f"案件 {case_id}：{(summary or '新诉求')[:200]}{due}。")
