"""Additive rollup measures of a case fact, and the delta a fact change makes to the rollup rows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from reports.domain.facts import DONE_STATUSES, STATUSES, CaseFact
from reports.domain.org import LEVELS, OrgIndex

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Upper bounds (seconds) of the duration histogram bins; the last bin is open-ended.
BINS = (300, 900, 1800, 3600, 7200, 14400, 28800, 43200, 86400, 172800, 259200, 604800, 1209600, 2592000)
NBINS = len(BINS) + 1
MEASURES: tuple[str, ...] = (
    "cases", "open", "done", "closed", "cancelled", "overdue", "response_overdue", "resolution_overdue",
    "responded", "responded_in_sla", "resolved_in_sla", "rated", "satisfied", "ever_resolved", "reopened",
    "reopens", "requests", "repeats", "escalated",
    "rt_sum", "rt_n", "rs_sum", "rs_n",
    *(f"status_{s}" for s in STATUSES),
    *(f"rt_b{i}" for i in range(NBINS)),
    *(f"rs_b{i}" for i in range(NBINS)),
)


@dataclass(frozen=True, order=True)
class BucketKey:
    """One rollup row: civil day (grain "day", YYYY-MM-DD) or month (grain "month", YYYY-MM) of creation
    × org level and node × category × unit; month rows let long ranges sum ~30 times fewer rows.

    The row also carries the node's ancestors (the levels above `level`) so a query can keep the rows
    inside one street or community; finer levels are "".
    """

    day: str
    level: str
    node: str
    class_code: str
    category: str
    unit: str
    district: str = ""
    street: str = ""
    community: str = ""
    compound: str = ""
    grid: str = ""
    grain: str = "day"

    @property
    def id(self) -> str:
        """A stable string id (MongoDB _id)."""
        return "|".join((self.grain, self.day, self.level, self.node, self.class_code, self.category, self.unit))


def civil_day(moment: datetime) -> str:
    """The Asia/Shanghai calendar day of an instant, as YYYY-MM-DD."""
    return moment.astimezone(SHANGHAI).date().isoformat()


def bin_of(seconds: float) -> int:
    """Index of the histogram bin holding a duration."""
    for i, bound in enumerate(BINS):
        if seconds <= bound:
            return i
    return len(BINS)


def measures(fact: CaseFact) -> Counter[str]:
    """The fact's additive contribution; empty until the case is routed."""
    m: Counter[str] = Counter()
    if not fact.routed or fact.created_at is None:
        return m
    m["cases"] = 1
    m[f"status_{fact.status or 'routed'}"] = 1
    m["requests"] = max(len(fact.request_ids), 1)
    m["repeats"] = max(len(fact.request_ids) - 1, 0)
    if fact.status == "cancelled":
        m["cancelled"] = 1
        return +m
    is_open = fact.is_open
    m["open"] = int(is_open)
    m["done"] = int(fact.status in DONE_STATUSES)
    m["closed"] = int(fact.status == "closed")
    _response(m, fact, is_open)
    _resolution(m, fact, is_open)
    m["overdue"] = int(m["response_overdue"] > 0 or m["resolution_overdue"] > 0)
    m["rated"] = int(fact.satisfied is not None)
    m["satisfied"] = int(bool(fact.satisfied))
    m["ever_resolved"] = int(fact.resolved_at is not None or fact.closed_at is not None)
    m["reopened"] = int(fact.reopen_count > 0)
    m["reopens"] = fact.reopen_count
    m["escalated"] = int(fact.escalation_count > 0)
    return +m


def _response(m: Counter[str], fact: CaseFact, is_open: bool) -> None:
    created = fact.created_at
    assert created is not None
    if fact.first_response_at is None:
        m["response_overdue"] = int(is_open and fact.response_breached)
        return
    m["responded"] = 1
    on_time = fact.response_due is None or fact.first_response_at <= fact.response_due
    m["responded_in_sla"] = int(on_time)
    seconds = max((fact.first_response_at - created).total_seconds(), 0.0)
    m["rt_sum"], m["rt_n"] = round(seconds), 1
    m[f"rt_b{bin_of(seconds)}"] = 1


def _resolution(m: Counter[str], fact: CaseFact, is_open: bool) -> None:
    created = fact.created_at
    assert created is not None
    if is_open:
        m["resolution_overdue"] = int(fact.resolution_breached)
        return
    finished = fact.resolved_at or fact.closed_at
    if finished is None:
        return
    m["resolved_in_sla"] = int(fact.resolution_due is None or finished <= fact.resolution_due)
    seconds = max((finished - created).total_seconds(), 0.0)
    m["rs_sum"], m["rs_n"] = round(seconds), 1
    m[f"rs_b{bin_of(seconds)}"] = 1


def bucket_keys(fact: CaseFact, org: OrgIndex) -> list[BucketKey]:
    """The rows a fact counts in: one per org level (a missing level counts under node "")."""
    if not fact.routed or fact.created_at is None:
        return []
    path = org.path(district=fact.district_id, street=fact.street_id, community=fact.community_id,
                    compound=fact.compound_id, grid=fact.grid_id)
    day = civil_day(fact.created_at)
    keys = []
    for depth, level in enumerate(LEVELS):
        ancestors = {lv: (path[lv] or "") if i <= depth else "" for i, lv in enumerate(LEVELS)}
        for grain, period in (("day", day), ("month", day[:7])):
            keys.append(BucketKey(period, level, path[level] or "", fact.class_code or "",
                                  fact.sub_category or "", fact.unit_id or "", **ancestors, grain=grain))
    return keys


def rollup_delta(old: CaseFact | None, new: CaseFact, org: OrgIndex) -> dict[BucketKey, dict[str, int]]:
    """Row → measure increments that move the rollups from `old`'s contribution to `new`'s."""
    old_keys = bucket_keys(old, org) if old is not None else []
    # Most events change neither the place, the category, the unit nor the day: the same rows, computed once.
    new_keys = old_keys if old is not None and _row_identity(old) == _row_identity(new) else bucket_keys(new, org)
    old_m = measures(old) if old_keys else Counter()
    new_m = measures(new) if new_keys else Counter()
    change = {m: v for m in old_m.keys() | new_m.keys() if (v := new_m[m] - old_m[m])}
    removed = {m: -v for m, v in old_m.items()}
    delta: dict[BucketKey, dict[str, int]] = {}
    kept = set(new_keys)
    for key in old_keys:
        inc = change if key in kept else removed
        if inc:
            delta[key] = dict(inc)
    gone = set(old_keys)
    for key in new_keys:
        if key not in gone and new_m:
            delta[key] = dict(new_m)
    return delta


def _row_identity(fact: CaseFact) -> tuple[object, ...]:
    """What `bucket_keys` depends on."""
    return (fact.routed, fact.created_at and civil_day(fact.created_at), fact.district_id, fact.street_id,
            fact.community_id, fact.compound_id, fact.grid_id, fact.class_code, fact.sub_category, fact.unit_id)
