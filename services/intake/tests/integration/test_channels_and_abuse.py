"""Channels and staff, 12345 imports, categories, QR compound tokens, rate limits and retention."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from intake.adapters.qrtoken import CompoundTokens
from intake.config import DEV_QR_KEYS
from intake.retention import purge_contacts

pytestmark = pytest.mark.rabbitmq
STAFF = {"Authorization": "Bearer dev-staff-token"}
BODY = {"compound_id": "qc-wj-bh-hw", "text": "B栋电梯又坏了，老人上下楼很困难。", "location": {"building": "B"}}


async def test_residents_cannot_use_staff_channels_but_staff_can_submit_on_their_behalf(app_client):
    client, app = app_client
    res = await client.post("/v1/requests", json={**BODY, "channel": "grid_patrol"})
    assert res.status_code == 403 and res.json()["detail"][0]["field"] == "channel"
    res = await client.post("/v1/requests", json={**BODY, "channel": "wechat_group",
                                                  "contact": {"phone": "13900001111"}}, headers=STAFF)
    assert res.status_code == 201
    staff_view = (await client.get(f"/v1/staff/requests/{res.json()['id']}", headers=STAFF)).json()
    assert staff_view["contact"] == {"phone": "13900001111"}
    assert staff_view["submitted_by"] == "演示工作人员"
    assert staff_view["channel_label"] == "微信群代录"
    assert (await client.get(f"/v1/staff/requests/{res.json()['id']}")).status_code == 401
    resident_view = (await client.get(f"/v1/requests/{res.json()['id']}",
                                      params={"token": res.json()["access_token"]})).json()
    assert resident_view["contact"]["phone"] == "139****1111"


CSV = """order_no,compound_id,text,phone,deadline,building
12345-001,qc-jh-jh-hy,东门路灯不亮一周了,13812340001,2026-11-23 18:00,1
12345-002,no-such,这一行的小区不存在,,,
12345-003,qc-jh-jh-ly,,13812340003,,
12345-004,qc-jh-jh-ly,地下车库有积水,13812340004,明天,
"12345-005",qc-sl-sl-ms,"楼下早餐店油烟很大，
窗户都不敢开",,2026-11-24T12:00:00+08:00,5
"""


async def test_a_hotline_csv_imports_good_rows_reports_bad_lines_and_never_duplicates(app_client):
    client, app = app_client
    res = await client.post("/v1/imports/hotline", content=CSV.encode(), headers={**STAFF, "Content-Type": "text/csv"})
    assert res.status_code == 200, res.text
    result = res.json()
    assert result["imported"] == 2
    assert [r["order_no"] for r in result["requests"]] == ["12345-001", "12345-005"]
    assert {(e["line"], e["field"]) for e in result["errors"]} == {
        (3, "compound_id"), (4, "text"), (5, "deadline")}
    again = (await client.post("/v1/imports/hotline", content=CSV.encode(),
                               headers={**STAFF, "Content-Type": "text/csv"})).json()
    assert again["imported"] == 0
    assert [d["order_no"] for d in again["duplicates"]] == ["12345-001", "12345-005"]
    assert await app.state.container.repo.count() == 2
    first = await app.state.container.repo.by_external_ref("12345-001")
    assert first.channel == "hotline_12345"
    assert first.external_deadline == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert (await client.post("/v1/imports/hotline", content=CSV.encode())).status_code == 401


async def test_a_hotline_json_batch_reports_wrong_shapes_by_item(app_client):
    client, _ = app_client
    orders = [{"order_no": "J-1", "compound_id": "qc-jh-xh-xy", "text": "小区健身器材损坏"},
              {"order_no": "J-2", "compound_id": "qc-jh-xh-xy", "text": {"$gt": ""}},
              "not an object"]
    res = await client.post("/v1/imports/hotline", content=json.dumps(orders, ensure_ascii=False).encode(),
                            headers={**STAFF, "Content-Type": "application/json"})
    result = res.json()
    assert result["imported"] == 1
    assert [e["line"] for e in result["errors"]] == [2, 3]


async def test_the_category_list_covers_livelihood_and_development_requests(app_client):
    client, _ = app_client
    classes = (await client.get("/v1/categories")).json()["classes"]
    kinds = {c["code"]: c["kind"] for c in classes}
    assert kinds["development"] == "发展诉求" and kinds["safety"] == "民生诉求"
    safety = next(c for c in classes if c["code"] == "safety")
    assert any(s["code"] == "fire" and s["name"] == "消防" for s in safety["sub_categories"])
    assert sum(len(c["sub_categories"]) for c in classes) == 20


async def test_a_signed_compound_token_stands_for_the_compound_and_forged_or_revoked_ones_are_refused(app_with):
    tokens = CompoundTokens(DEV_QR_KEYS)
    good = tokens.sign("qc-sl-dq-dq")
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    other_key = CompoundTokens("old:retired-secret").sign("qc-sl-dq-dq")
    async with app_with(qr_revoked=tokens.sign("qc-wj-bh-yj")) as (client, app):
        body = {"text": "小区里有人在楼道给电动车充电"}
        res = await client.post("/v1/requests", json={**body, "compound_token": good})
        assert res.status_code == 201
        req = await app.state.container.repo.get(res.json()["id"])
        assert req.compound_id == "qc-sl-dq-dq" and req.community_id == "qc-sl-dq"
        for token, message in ((forged, "二维码无效，请扫描小区张贴的二维码"),
                               (other_key, "二维码已失效，请扫描小区最新张贴的二维码"),
                               (tokens.sign("qc-wj-bh-yj"), "二维码已失效，请扫描小区最新张贴的二维码")):
            res = await client.post("/v1/requests", json={**body, "compound_token": token})
            assert res.status_code == 403
            assert res.json()["detail"] == [{"field": "compound_token", "message": message}]
        assert await app.state.container.repo.count() == 1


async def test_rate_limits_per_address_and_per_phone_answer_429_with_retry_after(app_with):
    async with app_with(rate_limit_per_ip=3, rate_limit_per_phone=2) as (client, app):
        phone = {**BODY, "contact": {"phone": "13700000000"}}
        assert (await client.post("/v1/requests", json=phone)).status_code == 201
        assert (await client.post("/v1/requests", json=phone)).status_code == 201
        res = await client.post("/v1/requests", json=phone)
        assert res.status_code == 429
        assert int(res.headers["Retry-After"]) > 0
        assert res.json()["detail"][0]["field"] == "contact.phone"
        assert (await client.post("/v1/requests", json=BODY)).status_code == 201
        res = await client.post("/v1/requests", json=BODY)
        assert res.status_code == 429 and res.json()["detail"][0]["field"] == "ip"
        assert "请" in res.json()["detail"][0]["message"]
        assert (await client.post("/v1/requests", json=BODY, headers=STAFF)).status_code == 201
        assert await app.state.container.repo.count() == 4


async def test_retention_deletes_contact_data_of_long_closed_requests_only(app_client):
    client, app = app_client
    repo = app.state.container.repo
    ids = [(await client.post("/v1/requests", json={**BODY, "contact": {"name": "李雷", "phone": "13600000000"}},
                              headers=STAFF)).json()["id"] for _ in range(3)]
    now = datetime.now(UTC)
    for rid, closed in zip(ids, (now - timedelta(days=200), now - timedelta(days=10), None), strict=True):
        req = await repo.get(rid)
        if closed:
            req.status, req.closed_at = "closed", closed
            assert await repo.save(req, expected_version=req.version, events=[])
    assert await purge_contacts(repo, now=now, days=180) == 1
    purged, kept, open_ = [await repo.get(i) for i in ids]
    assert purged.contact_enc is None and purged.phone_masked is None and purged.contact_purged
    assert kept.contact_enc and open_.contact_enc
    view = (await client.get(f"/v1/staff/requests/{ids[0]}", headers=STAFF)).json()
    assert view["contact"] is None and view["contact_purged"] is True
