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

    def query(self, *, level: str | None = None, group_by: tuple[str, ...] = ()) -> RollupQuery:
        """The rollup query at `level` (default: the finest pinned level) restricted to this scope."""
        where = dict(self.nodes)
        for column, value in (("class_code", self.class_code), ("category", self.category), ("unit", self.unit)):
            if value:
                where[column] = value
        return RollupQuery(level=level or self.finest_level(), where=where, day_from=self.day_from,
                           day_to=self.day_to, group_by=group_by)


def _sum(rows: list[tuple[tuple[str, ...], dict[str, int]]]) -> Counter[str]:
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
    totals = _sum(await repo.rollup(scope.query()))
    by_class = await repo.rollup(scope.query(group_by=("class_code",)))
    community_level = scope.finest_level() if LEVELS.index(scope.finest_level()) > 2 else "community"
    by_community = await repo.rollup(scope.query(level=community_level, group_by=("node",)))
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
    rows = await repo.rollup(scope.query(level=level, group_by=(column,)))
    out = [{"key": k[0], "name": label(column, k[0], org), **figures(m)} for k, m in rows if m["cases"]]
    return sorted(out, key=lambda r: (-int(r["cases"] or 0), r["key"]))


def period_of(day: str, interval: str) -> str:
    """The period a civil day falls in: the day, the Monday of its ISO week, or the month."""
    if interval == "day":
        return day
    moment = date.fromisoformat(day)
    if interval == "week":
        return (moment - timedelta(days=moment.weekday())).isoformat()
    return day[:7]


async def trend(repo: ReportsRepository, scope: Scope, interval: str) -> list[dict]:
    """Figures per day, week or month of creation, oldest first."""
    periods: dict[str, Counter[str]] = {}
    for key, measures in await repo.rollup(scope.query(group_by=("day",))):
        periods.setdefault(period_of(key[0], interval), Counter()).update(measures)
    return [{"period": p, **figures(m)} for p, m in sorted(periods.items())]


async def top_categories(repo: ReportsRepository, scope: Scope, limit: int = 10) -> list[dict]:
    """The most frequent sub-categories with their share of cases."""
    rows = await breakdown(repo, OrgIndex(), scope, "category")
    total = sum(int(r["cases"] or 0) for r in rows) or 1
    return [{"key": r["key"], "name": r["name"], "cases": r["cases"], "share": round(int(r["cases"] or 0) / total, 4)}
            for r in rows[:limit]]
