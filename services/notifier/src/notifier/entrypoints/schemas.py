"""HTTP response models shared by several routers."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from notifier.domain.timers import Timer


class TimerOut(BaseModel):
    """One timer as the API shows it."""

    timer_id: str
    deadline: str
    kind: str
    fraction: float
    tier: int
    due_at: datetime
    deadline_at: datetime
    status: str
    fired_at: datetime | None = None

    @classmethod
    def of(cls, t: Timer) -> TimerOut:
        """From the domain object."""
        return cls(timer_id=t.timer_id, deadline=t.deadline, kind=str(t.kind), fraction=t.fraction, tier=t.tier,
                   due_at=t.due_at, deadline_at=t.deadline_at, status=str(t.status), fired_at=t.fired_at)
