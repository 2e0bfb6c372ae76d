"""Read use cases answered from the rollups: summary, breakdown and trend."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from contracts.categories import BY_CODE, CLASSES
from reports.adapters.repository import ReportsRepository, RollupQuery
from reports.domain.figures import figures, status_counts
from reports.domain.org import LEVELS, OrgIndex

BREAKDOWNS = {"district": "node", "street": "node", "community": "node", "compound": "node", "grid": "node",
              "class": "class_code", "category": "category", "unit": "unit"}


@dataclass(frozen=True)
class Scope:
    """Where and when: at most one org node per level, category/class/unit, and a civil-day range."""

    nodes: dict[str, str] = field(default_factory=dict)
    class_code: str | None = None
    category: str | None = None
    unit: str | None = None
    day_from: str | None = None
    day_to: str | None = None

    def finest_level(self) -> str:
        """The finest org level the scope pins (district when none)."""
        pinned = [lv for lv in LEVELS if lv in self.nodes]
        return pinned[-1] if pinned else "district"

    def queries(self, *, level: str | None = None, group_by: tuple[str, ...] = (),
                days_only: bool = False) -> list[RollupQuery]:
        """Rollup queries covering this scope: whole months from month rows, the ragged edges from day rows."""
        where = dict(self.nodes)
        for column, value in (("class_code", self.class_code), ("category", self.category), ("unit", self.unit)):
            if value:
                where[column] = value
        spans = [("day", self.day_from, self.day_to)] if days_only else split_range(self.day_from, self.day_to)
        return [RollupQuery(level=level or self.finest_level(), grain=grain, where=where, day_from=lo, day_to=hi,
                            group_by=group_by) for grain, lo, hi in spans]


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def split_range(day_from: str | None, day_to: str | None) -> list[tuple[str, str | None, str | None]]:
    """(grain, from, to) spans covering [day_from, day_to]: full months at month grain, the rest by day."""
    lo = date.fromisoformat(day_from) if day_from else None
    hi = date.fromisoformat(day_to) if day_to else None
    first = None if lo is None else lo if lo.day == 1 else _next_month(lo)  # first whole month
    end = None if hi is None else _next_month(hi) if _next_month(hi) - timedelta(days=1) == hi else _month_start(hi)
    if first is not None and end is not None and first >= end:
        return [("day", day_from, day_to)]
    spans: list[tuple[str, str | None, str | None]] = [
        ("month", first.isoformat()[:7] if first else None,
         (end - timedelta(days=1)).isoformat()[:7] if end else None)]
    if lo is not None and first is not None and lo < first:
        spans.append(("day", lo.isoformat(), (first - timedelta(days=1)).isoformat()))
    if hi is not None and end is not None and end <= hi:
        spans.append(("day", end.isoformat(), hi.isoformat()))
    return spans


async def rollup(repo: ReportsRepository, scope: Scope, *, level: str | None = None,
                 group_by: tuple[str, ...] = (), days_only: bool = False) -> list[tuple[tuple[str, ...], Counter[str]]]:
    """Sum the scope's rollup rows per group across the month and day spans."""
    groups: dict[tuple[str, ...], Counter[str]] = {}
    for query in scope.queries(level=level, group_by=group_by, days_only=days_only):
        for key, measures in await repo.rollup(query):
            groups.setdefault(key, Counter()).update(measures)
    return list(groups.items())


def _sum(rows: list[tuple[tuple[str, ...], Counter[str]]]) -> Counter[str]:
    total: Counter[str] = Counter()
    for _, measures in rows:
        total.update(measures)
    return total


def label(kind: str, key: str, org: OrgIndex) -> str:
    """A human name for a group key."""
    if kind == "class_code":
        return CLASSES.get(key, key or "未分类")
    if kind == "category":
        return BY_CODE[key].name if key in BY_CODE else (key or "未分类")
    return org.name(key) if key else "未知"


async def summary(repo: ReportsRepository, org: OrgIndex, scope: Scope) -> dict:
    """Totals, every figure, and counts by status, class and community."""
    totals = _sum(await rollup(repo, scope))
    by_class = await rollup(repo, scope, group_by=("class_code",))
    community_level = scope.finest_level() if LEVELS.index(scope.finest_level()) > 2 else "community"
    by_community = await rollup(repo, scope, level=community_level, group_by=("node",))
    return {
        "totals": {"cases": totals["cases"], "open": totals["open"], "resolved": totals["done"],
                   "closed": totals["closed"], "cancelled": totals["cancelled"], "overdue": totals["overdue"]},
        "figures": figures(totals),
        "by_status": status_counts(totals),
        "by_class": {label("class_code", k[0], org): m["cases"] for k, m in by_class if m["cases"]},
        "by_community": [{"id": k[0], "name": org.name(k[0]), "cases": m["cases"], "open": m["open"]}
                         for k, m in sorted(by_community, key=lambda r: -r[1]["cases"]) if m["cases"]],
    }


async def breakdown(repo: ReportsRepository, org: OrgIndex, scope: Scope, by: str) -> list[dict]:
    """Figures per org node one level down, per class, category or unit, largest first."""
    column = BREAKDOWNS[by]
    level = by if column == "node" else scope.finest_level()
    rows = await rollup(repo, scope, level=level, group_by=(column,))
    out = [{"key": k[0], "name": label(column, k[0], org), **figures(m)} for k, m in rows if m["cases"]]
    return sorted(out, key=lambda r: (-int(r["cases"] or 0), r["key"]))


def period_of(day: str, interval: str) -> str:
    """The period a civil day falls in: the day, the Monday of its ISO week, or the month."""
    if interval == "day":
        return day
    if interval == "month":
        return day[:7]
    moment = date.fromisoformat(day)
    if interval == "week":
        return (moment - timedelta(days=moment.weekday())).isoformat()
    return day[:7]


async def trend(repo: ReportsRepository, scope: Scope, interval: str) -> list[dict]:
    """Figures per day, week or month of creation, oldest first."""
    periods: dict[str, Counter[str]] = {}
    for key, measures in await rollup(repo, scope, group_by=("day",), days_only=interval != "month"):
        periods.setdefault(period_of(key[0], interval), Counter()).update(measures)
    return [{"period": p, **figures(m)} for p, m in sorted(periods.items())]


async def top_categories(repo: ReportsRepository, scope: Scope, limit: int = 10) -> list[dict]:
    """The most frequent sub-categories with their share of cases."""
    rows = await breakdown(repo, OrgIndex(), scope, "category")
    total = sum(int(r["cases"] or 0) for r in rows) or 1
    return [{"key": r["key"], "name": r["name"], "cases": r["cases"], "share": round(int(r["cases"] or 0) / total, 4)}
            for r in rows[:limit]]
