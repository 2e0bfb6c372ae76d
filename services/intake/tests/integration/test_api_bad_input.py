"""Bad input to POST /v1/requests: a 4xx naming the field, a Chinese message, and nothing stored."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.rabbitmq

BASE = {"compound_id": "qc-jh-jh-hy", "text": "小区东门路灯坏了一个星期，晚上很黑。"}


def without(key: str) -> dict:
    return {k: v for k, v in BASE.items() if k != key}


CASES = [
    ("missing text", without("text"), 422, "text", "请填写诉求内容"),
    ("blank text", {**BASE, "text": "   "}, 422, "text", "请填写诉求内容"),
    ("missing compound", without("compound_id"), 422, "compound_id", "请选择小区"),
    ("text is a number", {**BASE, "text": 12345}, 422, "text", "诉求内容应为文字"),
    ("text is a list", {**BASE, "text": ["a"]}, 422, "text", "诉求内容应为文字"),
    ("anonymous is a string", {**BASE, "anonymous": "yes"}, 422, "anonymous", "匿名应为是或否（true/false）"),
    ("location is a string", {**BASE, "location": "3号楼"}, 422, "location", "位置格式不正确，应为对象"),
    ("lat is a string", {**BASE, "location": {"lat": "36.1"}}, 422, "location.lat", "纬度应为数字"),
    ("phone is a number", {**BASE, "contact": {"phone": 13812341234}}, 422, "contact.phone", "手机号应为文字"),
    ("bad phone", {**BASE, "contact": {"phone": "call me"}}, 422, "contact.phone", "手机号格式不正确"),
    ("text over 4000", {**BASE, "text": "漏" * 4001}, 422, "text", "诉求内容不能超过4000个字"),
    ("dollar key at top", {**BASE, "$where": "1"}, 422, "$where", "字段名不能以 $ 开头或包含“.”"),
    ("dollar key nested", {**BASE, "location": {"$gt": ""}}, 422, "location.$gt", "字段名不能以 $ 开头或包含“.”"),
    ("dollar operator as value", {**BASE, "compound_id": {"$ne": None}}, 422, "compound_id", "小区应为文字"),
    ("dotted key", {**BASE, "contact": {"a.b": "x"}}, 422, "contact.a.b", "字段名不能以 $ 开头或包含“.”"),
    ("unknown compound", {**BASE, "compound_id": "no-such-compound"}, 422, "compound_id",
     "未找到该小区，请扫描小区张贴的二维码重新进入"),
    ("unknown class", {**BASE, "category": {"class_code": "zzz"}}, 422, "category.class_code",
     "分类不存在，请从分类列表中选择"),
    ("sub-category of another class", {**BASE, "category": {"class_code": "dispute", "sub_category": "fire"}},
     422, "category.sub_category", "小类不存在或不属于所选大类"),
    ("unknown channel", {**BASE, "channel": "telepathy"}, 422, "channel", "渠道的取值不在允许范围内"),
    ("unknown field", {**BASE, "priority": "urgent"}, 422, "priority", "不支持的字段"),
    ("four photos", {**BASE, "photos": ["a", "b", "c", "d"]}, 422, "photos", "照片最多3项"),
]


@pytest.mark.parametrize(("name", "body", "status", "field", "message"), CASES, ids=[c[0] for c in CASES])
async def test_bad_input_is_refused_with_the_field_named_and_nothing_stored(
        app_client, name, body, status, field, message):
    client, app = app_client
    res = await client.post("/v1/requests", json=body)
    assert res.status_code == status, res.text
    detail = res.json()["detail"]
    assert {"field": field, "message": message} in detail, detail
    container = app.state.container
    assert await container.repo.count() == 0
    assert await container.repo.outbox.pending_count() == 0


async def test_a_body_that_is_not_json_is_refused(app_client):
    client, app = app_client
    res = await client.post("/v1/requests", content=b"{not json", headers={"Content-Type": "application/json"})
    assert res.status_code == 422
    assert res.json()["detail"][0]["message"] == "请求内容不是有效的 JSON"
    assert await app.state.container.repo.count() == 0


async def test_a_top_level_array_is_refused(app_client):
    client, app = app_client
    res = await client.post("/v1/requests", json=[BASE])
    assert res.status_code == 422
    assert await app.state.container.repo.count() == 0
