"""Asset registers (未诉先办): elevators, fire equipment, seasonal tasks; when each is due and when to remind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from notifier.domain.notifications import SHANGHAI
from notifier.domain.timers import Timer, TimerKind, timer_id

REMIND_AT = time(9, 0)  # reminders go out at 09:00 civil time on their day
DEFAULT_LEAD_DAYS = {"elevator_inspection": 30, "fire_equipment": 14, "drain_clearing": 14}


@dataclass(frozen=True)
class Asset:
    """One register entry: what, where, who is responsible, when it was last done and how often it recurs."""

    asset_id: str
    kind: str
    title: str
    community_id: str
    last_done: date
    interval_months: int = 12
    lead_days: int = 30
    unit_ids: tuple[str, ...] = ()
    building: str | None = None

    @property
    def due(self) -> date:
        """The date the next inspection or task is due."""
        month = self.last_done.month - 1 + self.interval_months
        year, month = self.last_done.year + month // 12, month % 12 + 1
        for day in range(self.last_done.day, 27, -1):  # 31 Jan + 1 month = 28/29 Feb
            try:
                return date(year, month, day)
            except ValueError:
                continue
        return date(year, month, min(self.last_done.day, 28))

    def owner_id(self) -> str:
        """The key its timers are stored under."""
        return f"asset:{self.asset_id}"


def at_civil(day: date) -> datetime:
    """The reminder instant of a day (09:00 Shanghai) in UTC."""
    return datetime.combine(day, REMIND_AT, tzinfo=SHANGHAI).astimezone(UTC)


def reminder_timers(asset: Asset) -> list[Timer]:
    """A reminder `lead_days` ahead, and again on the due date if nothing has been recorded by then."""
    due_at = at_civil(asset.due)
    points = [(0.0, at_civil(asset.due - timedelta(days=asset.lead_days))), (1.0, due_at)]
    owner = asset.owner_id()
    return [Timer(timer_id=timer_id(owner, "reminder", TimerKind.REMINDER, fraction, due_at), case_id=owner,
                  community_id=asset.community_id, deadline="reminder", kind=TimerKind.REMINDER, fraction=fraction,
                  tier=1, due_at=at, deadline_at=due_at) for fraction, at in points]
