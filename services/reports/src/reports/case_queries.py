"""Read use cases answered from case facts: the overdue list and custom queries (智慧报表)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from reports.adapters.repository import FactQuery, ReportsRepository
from reports.domain.facts import CaseFact
from reports.domain.figures import figures
from reports.domain.org import OrgIndex
from reports.domain.rollups import SHANGHAI, measures
from reports.domain.rows import case_row, overdue_kind

QUERY_FIELDS = {"district": "district_id", "street": "street_id", "community": "community_id",
                "compound": "compound_id", "grid": "grid_id", "class": "class_code", "category": "sub_category",
                "unit": "unit_id", "status": "status", "channel": "channel"}
MAX_SCAN = 200_000


def utc_bound(day: str | None, *, end: bool = False) -> str | None:
    """The UTC instant (fact time format) where a Shanghai civil day starts (or, with end, the next one starts)."""
    if not day:
        return None
    moment = datetime.combine(date.fromisoformat(day), time(0), SHANGHAI) + timedelta(days=1 if end else 0)
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def fact_query(filters: dict[str, str], day_from: str | None, day_to: str | None, **kw: object) -> FactQuery:
    """A FactQuery from validated API filter names."""
    where = {QUERY_FIELDS[k]: v for k, v in filters.items() if v}
    return FactQuery(where=where, created_from=utc_bound(day_from), created_to=utc_bound(day_to, end=True),
                     **kw)  # type: ignore[arg-type]


async def overdue(repo: ReportsRepository, org: OrgIndex, query: FactQuery, now: datetime) -> list[dict]:
    """Open cases past a deadline, the longest overdue first."""
    facts = await repo.facts(FactQuery(where=query.where, created_from=query.created_from,
                                       created_to=query.created_to, open_only=True, limit=MAX_SCAN))
    late = [f for f in facts if overdue_kind(f, now)]
    late.sort(key=lambda f: (_due(f) or now, f.case_id))
    rows = []
    for fact in late[query.offset: query.offset + query.limit]:
        due = _due(fact)
        rows.append({**case_row(fact, org, now), "due": due.isoformat() if due else None,
                     "overdue_hours": round((now - due).total_seconds() / 3600, 1) if due else None})
    return rows


def _due(fact: CaseFact) -> datetime | None:
    if fact.first_response_at is None and fact.response_due is not None:
        return fact.response_due
    return fact.resolution_due or fact.response_due


async def query_cases(repo: ReportsRepository, org: OrgIndex, query: FactQuery,
                      now: datetime) -> tuple[int, dict, list[dict]]:
    """(matching count, figures over all matches, the requested page of rows)."""
    total = await repo.count_facts(query)
    sums: Counter[str] = Counter()
    if total <= MAX_SCAN:
        scan = FactQuery(where=query.where, created_from=query.created_from, created_to=query.created_to,
                         limit=MAX_SCAN)
        for fact in await repo.facts(scan):
            sums.update(measures(fact))
    page = await repo.facts(query)
    return total, figures(sums), [case_row(f, org, now) for f in page]
