"""What a resident may do after submitting: rate after resolution, cancel before it (pure)."""

from __future__ import annotations

from datetime import datetime

from intake.domain.model import Feedback, IntakeRequest, TimelineEntry
from intake.domain.timeline import OPEN_STATUSES


class ActionRefused(Exception):
    """The request's state does not allow the action; carries a Chinese message."""


def rate(req: IntakeRequest, *, satisfied: bool, rating: int | None, comment: str | None, now: datetime) -> None:
    """Record the return visit; only once per resolution."""
    if req.status != "resolved":
        raise ActionRefused("诉求办结后才能评价")
    if req.feedback is not None:
        raise ActionRefused("您已评价过本次办理结果")
    req.feedback = Feedback(satisfied=satisfied, comment=comment, at=now, rating=rating)
    label = "您已评价：满意" if satisfied else "您已评价：不满意"
    note = comment or (None if satisfied else "我们将重新交办处理")
    req.timeline.append(TimelineEntry(now, req.status, label, note))


def cancel(req: IntakeRequest, *, reason: str | None, now: datetime) -> None:
    """Withdraw a request that is not resolved yet."""
    if req.status not in OPEN_STATUSES:
        raise ActionRefused("诉求已办结或已撤销，无法撤销")
    req.status, req.status_at = "cancelled", now
    req.closed_at = now
    req.timeline.append(TimelineEntry(now, "cancelled", "已撤销", reason or "您已撤销该诉求"))
