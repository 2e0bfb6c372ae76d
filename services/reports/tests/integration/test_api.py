"""The report API over a SQLite store (no broker): figures, breakdowns, trend, overdue, validation, exports."""

from __future__ import annotations

import csv
import io
import logging
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from reports.adapters.org_file import load_org
from reports.adapters.sqlite_repository import SqliteReportsRepository
from reports.bootstrap import Container
from reports.config import ReportsSettings
from reports.entrypoints.api import create_app
from reports.handlers import project_event
from reports.metrics import ReportsMetrics

ORG_FILE = Path(__file__).resolve().parents[4] / "deploy" / "demo" / "org.yaml"
NOW = datetime(2026, 11, 3, 12, 0, tzinfo=UTC)


@pytest.fixture
async def client(tmp_path, story, record_store):
    record_store("sqlite")
    settings = ReportsSettings(data_dir=tmp_path, org_file=ORG_FILE)
    repo = SqliteReportsRepository(settings.sqlite_path)
    await repo.ensure_indexes()
    org = load_org(ORG_FILE)
    a, b = story("a"), story("b", community="qc-sl-sl", compound="qc-sl-sl-ms", grid="g-sl-sl-ms-1",
                             class_code="safety", category="fire", unit="u-sl-sl-ms-pm")
    c = story("c", start=datetime(2026, 10, 20, 2, 0, tzinfo=UTC), category="noise")
    for env in [a.routed(0), a.transition("accepted", 10), a.transition("resolved", 60), a.transition("closed", 70),
                b.routed(0), b.scheduled(0, response_in=30, resolution_in=120), b.breached("response", 30),
                c.routed(0)]:
        await project_event(repo, org, env)
    app = create_app(settings, clock=lambda: NOW)
    app.state.container = Container(settings, repo, org, None, ReportsMetrics(),  # type: ignore[arg-type]
                                    logging.getLogger("test"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as http:
        yield http
    await repo.close()


async def test_summary_names_communities_and_counts_statuses(client):
    body = (await client.get("/v1/reports/summary")).json()
    assert body["totals"]["cases"] == 3 and body["by_status"] == {"closed": 1, "routed": 2}
    assert {c["name"] for c in body["by_community"]} == {"金湖社区", "松林社区"}
    street = (await client.get("/v1/reports/summary", params={"street": "qc-sl"})).json()
    assert street["totals"]["cases"] == 1 and street["figures"]["response_rate"] == 0.0


@pytest.mark.parametrize(("lo", "hi", "cases"), [
    ("2026-10-15", "2026-11-02", 3), ("2026-10-21", "2026-11-30", 2), ("2026-10-01", "2026-10-31", 1),
    ("2026-11-03", None, 0), (None, "2026-10-20", 1)])
async def test_date_ranges_count_cases_created_in_them(client, lo, hi, cases):
    params = {k: v for k, v in (("from", lo), ("to", hi)) if v}
    assert (await client.get("/v1/reports/summary", params=params)).json()["totals"]["cases"] == cases
    points = (await client.get("/v1/reports/trend", params={**params, "interval": "month"})).json()["points"]
    assert sum(p["cases"] for p in points) == cases


async def test_breakdowns_cover_every_org_level_category_and_unit(client):
    streets = (await client.get("/v1/reports/breakdown", params={"by": "street"})).json()["rows"]
    assert {(r["name"], r["cases"]) for r in streets} == {("金湖街道", 2), ("松林街道", 1)}
    grids = (await client.get("/v1/reports/breakdown", params={"by": "grid", "community": "qc-jh-jh"})).json()
    assert [r["name"] for r in grids["rows"]] == ["金湖花园第一网格"]
    cats = (await client.get("/v1/reports/breakdown", params={"by": "category"})).json()["rows"]
    assert {r["name"] for r in cats} == {"漏水", "消防", "噪音"}
    units = (await client.get("/v1/reports/breakdown", params={"by": "unit"})).json()["rows"]
    assert "名苑物业有限公司" in {r["name"] for r in units}


async def test_trend_groups_by_week_and_month(client):
    weeks = (await client.get("/v1/reports/trend", params={"interval": "week"})).json()["points"]
    assert [(p["period"], p["cases"]) for p in weeks] == [("2026-10-19", 1), ("2026-11-02", 2)]
    months = (await client.get("/v1/reports/trend", params={"interval": "month"})).json()["points"]
    assert [p["period"] for p in months] == ["2026-10", "2026-11"]


async def test_overdue_lists_open_late_cases_only(client):
    body = (await client.get("/v1/reports/overdue")).json()
    assert [r["case_id"] for r in body["rows"]] == ["b"] and body["rows"][0]["overdue"] == "响应超期"


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/v1/reports/query", {"colour": "red"}, "colour"),
    ("/v1/reports/query", {"from": "2026-13-01"}, "from"),
    ("/v1/reports/query", {"status": "lost"}, "status"),
    ("/v1/reports/query", {"format": "pdf"}, "format"),
    ("/v1/reports/query", {"limit": "many"}, "limit"),
    ("/v1/reports/summary", {"to": "yesterday"}, "to"),
    ("/v1/reports/breakdown", {"by": "planet"}, "by"),
    ("/v1/reports/breakdown", {"by": "street", "community": "qc-jh-jh"}, "by"),
    ("/v1/reports/trend", {"interval": "hour"}, "interval"),
    ("/v1/reports/overdue", {"from": "2026-11-05", "to": "2026-11-01"}, "to"),
])
async def test_bad_filters_get_a_4xx_naming_the_field(client, path, params, field):
    response = await client.get(path, params=params)
    assert 400 <= response.status_code < 500
    assert response.json()["detail"][0]["field"] == field


async def test_query_filters_and_computes_figures(client):
    body = (await client.get("/v1/reports/query", params={"community": "qc-jh-jh", "from": "2026-11-01"})).json()
    assert body["total"] == 1 and body["rows"][0]["case_id"] == "a" and body["rows"][0]["status"] == "已办结"
    assert body["figures"]["completion_rate"] == 1.0


async def test_csv_export_opens_with_chinese_headers(client):
    response = await client.get("/v1/reports/query", params={"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["案件编号", "受理时间", "街道"]
    assert sorted(r[0] for r in rows[1:]) == ["a", "b", "c"]


async def test_xlsx_export_opens_in_openpyxl(client):
    response = await client.get("/v1/reports/query", params={"format": "xlsx", "class": "safety"})
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["明细"]
    values = list(sheet.values)
    assert values[0][0] == "案件编号" and [v[0] for v in values[1:]] == ["b"]
    assert values[1][3] == "松林社区" and values[1][13] == "响应超期"
    assert dict(list(book["指标"].values)[1:])["cases"] == 1
