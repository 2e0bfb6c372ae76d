"""Hostile input against the running services: operator injection, oversize and malformed bodies, XML
entities, wrong content types, bad UTF-8 and tricky Unicode, path traversal, forged tokens, replayed keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from sec_client import client, fresh_case
from sec_platform import OPEN311_KEY, Platform, dept_key
from sec_seed import Targets, png

from servicekit.auth.keys import dev_signing_key, new_key_setting, parse_signing_keys
from servicekit.auth.principal import Principal
from servicekit.auth.roles import Role
from servicekit.auth.tokens import TokenIssuer

pytestmark = pytest.mark.rabbitmq
BASE = {"compound_id": "qc-jh-jh-hy", "text": "测试诉求"}
INJECTIONS = [{"$gt": ""}, {"$where": "sleep(1000)"}, {"$ne": None}, ["$in", "x"]]


@pytest.mark.parametrize(("service", "path", "body"), [
    ("intake", "/v1/requests", {**BASE, "text": INJECTIONS[0]}),
    ("intake", "/v1/requests", {**BASE, "compound_id": INJECTIONS[2]}),
    ("intake", "/v1/requests", {**BASE, "$where": "this.a == 1"}),
    ("intake", "/v1/requests", {**BASE, "contact.phone": "13700000000"}),
    ("intake", "/v1/requests", {**BASE, "contact": {"phone": INJECTIONS[2]}}),
    ("intake", "/v1/requests", {**BASE, "location": {"building": INJECTIONS[1]}}),
    ("router", "/v1/cases/{case_id}/accept", {"actor_id": INJECTIONS[0]}),
    ("router", "/v1/cases/{case_id}/progress", {"actor_id": "a", "note": "n", "$set": {"status": "closed"}}),
    ("router", "/v1/triage/{case_id}", {"actor_id": "a", "class_code": INJECTIONS[2]}),
    ("router", "/v1/departments/cases/{case_id}/accepted", {"note": INJECTIONS[0]}),
    ("notifier", "/v1/subscriptions", {"case_id": INJECTIONS[2], "channel": "sms", "address": "13700000000"}),
    ("notifier", "/v1/assets/SEC-EL-1/done", {"done_on": INJECTIONS[0]}),
])
def test_operator_injection_in_bodies_is_refused_before_any_store(
        platform: Platform, targets: Targets, service: str, path: str, body: dict) -> None:
    headers = {"X-API-Key": dept_key(targets.dept_in)} if "departments" in path else {}
    with client(platform, service) as c:
        answer = c.post(path.format(case_id=targets.case_id), json=body, headers=headers)
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize(("service", "path", "params", "statuses"), [
    ("router", "/v1/cases", {"community_id": '{"$ne": null}'}, {422}),
    ("router", "/v1/cases", {"status": "$where"}, {422}),
    ("reports", "/v1/reports/query", {"community[$ne]": "x"}, {422}),
    ("reports", "/v1/reports/query", {"community": '{"$gt": ""}'}, {200}),
    ("reports", "/v1/reports/summary", {"street": "$where"}, {200}),
    ("notifier", "/v1/timers", {"case_id": '{"$ne": null}'}, {404}),
    ("intake", "/open311/v2/requests.json", {"service_request_id": '{"$gt": ""}', "api_key": OPEN311_KEY}, {200}),
])
def test_operator_injection_in_query_strings_matches_nothing(
        platform: Platform, service: str, path: str, params: dict, statuses: set[int]) -> None:
    with client(platform, service) as c:
        answer = c.get(path, params=params)
    assert answer.status_code in statuses, answer.text
    if answer.status_code == 200:
        body = answer.json()
        assert body == [] or body.get("total") == 0 or body.get("totals", {}).get("cases") == 0, body


def test_an_ignored_bracketed_filter_does_not_widen_a_street_s_listing(platform: Platform) -> None:
    with client(platform, "router", Role.STREET_STAFF, "qc-sl") as c:
        cases = c.get("/v1/cases", params={"community_id[$ne]": "x", "limit": 500}).json()
    assert cases and all(case["place"]["street_id"] == "qc-sl" for case in cases)


def test_operator_looking_text_is_stored_and_shown_as_plain_text(platform: Platform) -> None:
    text = 'db.requests.find({"$where": "sleep(100)"}) 与 {"$gt": ""} 都只是文字'
    with client(platform, "intake", None) as c:
        created = c.post("/v1/requests", json={**BASE, "text": text}).json()
        shown = c.get(f"/v1/requests/{created['id']}", headers={"X-Access-Token": created["access_token"]}).json()
    assert shown["text"] == text


@pytest.mark.parametrize(("service", "path", "size", "content_type", "status"), [
    ("intake", "/v1/requests", 9 * 1024 * 1024, "application/json", 413),
    ("intake", "/v1/imports/hotline", 9 * 1024 * 1024, "text/csv", 413),
    ("router", "/v1/admin/organisation", 3 * 1024 * 1024, "text/plain", 413),
    ("notifier", "/v1/assets/import", 7 * 1024 * 1024, "text/csv", 413),
    ("intake", "/v1/imports/hotline", 6 * 1024 * 1024, "text/csv", 413),
])
def test_oversize_bodies_are_refused_with_413(platform: Platform, service: str, path: str, size: int,
                                              content_type: str, status: int) -> None:
    method = "PUT" if "admin" in path else "POST"
    with client(platform, service) as c:
        answer = c.request(method, path, content=b"x" * size, headers={"Content-Type": content_type})
    assert answer.status_code == status, answer.text[:200]


def test_a_photo_over_5_mb_and_too_many_photos_are_refused(platform: Platform) -> None:
    with client(platform, "intake", None) as c:
        big = c.post("/v1/photos", files={"file": ("big.png", png() + b"\0" * (5 * 1024 * 1024), "image/png")})
        many = c.post("/v1/requests", json={**BASE, "photos": [f"{n:032x}.png" for n in range(4)]})
        long_text = c.post("/v1/requests", json={**BASE, "text": "漏" * 4001})
    assert big.status_code == 413 and many.status_code == 422 and long_text.status_code == 422
    assert many.json()["detail"][0]["field"] == "photos"


MALFORMED = [b'{"compound_id": "qc-jh-jh-hy", "text": ', b"[" * 5000 + b"]" * 5000, b'{"text": "\xff\xfe\xfd"}',
             b"\xef\xbb\xbf{}", b"null", b'{"text": "a", "text": {"$gt": ""}}', b"NaN"]


@pytest.mark.parametrize(("service", "path"), [
    ("intake", "/v1/requests"), ("intake", "/v1/requests/x/feedback"), ("router", "/v1/cases/x/accept"),
    ("router", "/v1/triage/x"), ("notifier", "/v1/subscriptions"), ("notifier", "/v1/assets/x/done")])
def test_malformed_json_is_a_4xx_never_a_5xx(platform: Platform, service: str, path: str) -> None:
    with client(platform, service) as c:
        answers = [c.post(path, content=body, headers={"Content-Type": "application/json"}) for body in MALFORMED]
    assert all(400 <= a.status_code < 500 for a in answers), [(b[:20], a.status_code, a.text[:300]) for b, a in zip(MALFORMED, answers, strict=True)]


XML = {
    "billion laughs": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                      b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>'
                      b'<request><api_key>KEY</api_key><description>&d;</description></request>',
    "external entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                       b'<request><api_key>KEY</api_key><description>&x;</description></request>',
    "parameter entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]>'
                        b'<request><api_key>KEY</api_key></request>',
    "truncated": b"<request><api_key>KEY</api_key><description>",
    "not xml": b"service_code=fire&api_key=KEY",
    "bad utf-8": b'<?xml version="1.0" encoding="utf-8"?><request><description>\xff\xfe</description></request>',
}


@pytest.mark.parametrize("name", sorted(XML))
def test_hostile_open311_xml_is_refused_in_the_standard_error_format(platform: Platform, name: str) -> None:
    body = XML[name].replace(b"KEY", OPEN311_KEY.encode())
    with client(platform, "intake", None) as c:
        answer = c.post("/open311/v2/requests.xml", content=body, headers={"Content-Type": "text/xml"})
    assert answer.status_code == 400 and b"<errors>" in answer.content, answer.text[:300]
    assert b"root:" not in answer.content


@pytest.mark.parametrize(("service", "method", "path", "content", "content_type"), [
    ("intake", "POST", "/v1/requests", json.dumps(BASE).encode(), "text/plain"),
    ("intake", "POST", "/v1/requests", b"compound_id=qc-jh-jh-hy&text=x", "application/x-www-form-urlencoded"),
    ("intake", "POST", "/v1/photos", json.dumps({"file": "x"}).encode(), "application/json"),
    ("router", "POST", "/v1/cases/x/accept", b"<actor_id>a</actor_id>", "text/xml"),
    ("notifier", "POST", "/v1/assets/import", b'{"asset_id": "x"}', "application/json"),
    ("router", "PUT", "/v1/admin/rules", b"\x00\x01\x02", "application/octet-stream"),
])
def test_wrong_content_types_are_a_4xx(platform: Platform, service: str, method: str, path: str, content: bytes,
                                       content_type: str) -> None:
    with client(platform, service) as c:
        answer = c.request(method, path, content=content, headers={"Content-Type": content_type})
    assert 400 <= answer.status_code < 500, answer.text[:200]


def test_bad_utf8_in_query_strings_and_csv_is_a_4xx_or_matches_nothing(platform: Platform) -> None:
    with client(platform, "reports") as reports, client(platform, "intake") as intake:
        query = reports.get("/v1/reports/query?community=%FF%FE%00")
        csv = intake.post("/v1/imports/hotline", content=b"order_no,compound_id,text\n1,qc-jh-jh-hy,\xff\xfe\n",
                          headers={"Content-Type": "text/csv"})
    assert query.status_code == 200 and query.json()["total"] == 0
    assert csv.status_code == 422


def test_unusual_unicode_round_trips_and_invisible_or_spoofing_characters_do_not(platform: Platform) -> None:
    name = "𠮷野\u200b先生\u202e"  # 4-byte CJK, zero-width space, right-to-left override
    text = "楼道漏水😀，\u200f请尽快处理 𠀋"
    with client(platform, "intake", None) as c:
        invisible = c.post("/v1/requests", json={**BASE, "text": "\u200b\u200c\u200d\u2060\u202e \u3000"})
        created = c.post("/v1/requests", json={**BASE, "text": text, "contact": {"name": name,
                                                                                "phone": "13700000001"}}).json()
    with client(platform, "intake") as staff:
        view = staff.get(f"/v1/staff/requests/{created['id']}").json()
    assert invisible.status_code == 422 and invisible.json()["detail"][0]["field"] == "text"
    assert view["text"] == text and view["contact"]["name"] == "𠮷野先生"


@pytest.mark.parametrize(("service", "path"), [
    ("intake", "/h5/..%2F..%2Fconfig.py"), ("intake", "/h5/%2e%2e/%2e%2e/pyproject.toml"),
    ("reports", "/dashboard/assets/..%2F..%2Fconfig.py"), ("reports", "/dashboard/assets/%2e%2e%2fapi.py"),
    ("intake", "/v1/requests/{request_id}/photos/..%2F..%2Fintake.sqlite3"),
    ("intake", "/v1/requests/{request_id}/photos/..%2Fintake-audit.sqlite3"),
])
def test_path_traversal_finds_nothing(platform: Platform, targets: Targets, service: str, path: str) -> None:
    with client(platform, service) as c:
        answer = c.get(path.format(request_id=targets.request_id))
    assert answer.status_code == 404 and b"SQLite" not in answer.content and b"import" not in answer.content


def test_an_uploaded_file_name_never_becomes_a_path(platform: Platform) -> None:
    with client(platform, "intake", None) as c:
        stored = c.post("/v1/photos", files={"file": ("../../../../etc/cron.d/x.png", png(), "image/png")}).json()
    assert "/" not in stored["id"] and ".." not in stored["id"] and stored["id"].endswith(".png")


def _signed(key, claims: dict, **headers) -> str:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    full = {"iss": "whistle-router", "aud": "whistle", "sub": "x", "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=5)).timestamp()), **claims}
    return jwt.encode(full, key.private, algorithm="EdDSA", headers={"kid": "sec-1", **headers})


def test_forged_expired_and_foreign_tokens_are_refused_everywhere(platform: Platform) -> None:
    stranger = parse_signing_keys(new_key_setting("sec-1"))[0]  # same kid, another key
    own = parse_signing_keys(platform.signing)[0]
    tokens = {
        "other key, same kid": _signed(stranger, {"role": "platform_admin"}),
        "dev key": TokenIssuer(dev_signing_key()).issue(Principal("x", Role.PLATFORM_ADMIN),
                                                        now=datetime.now(UTC), ttl=timedelta(minutes=5)),
        "alg none": jwt.encode({"iss": "whistle-router", "aud": "whistle", "sub": "x", "role": "platform_admin",
                                "exp": 4102444800}, None, algorithm="none"),
        "expired": _signed(own, {"role": "platform_admin", "exp": int(datetime.now(UTC).timestamp()) - 3600}),
        "unknown role": _signed(own, {"role": "mayor"}),
        "unknown org node": _signed(own, {"role": "street_staff", "org": "atlantis"}),
        "grid role on a community": _signed(own, {"role": "grid_worker", "org": "qc-jh-jh"}),
        "other audience": _signed(own, {"role": "platform_admin", "aud": "payroll"}),
    }
    for service, path in (("router", "/v1/auth/me"), ("intake", "/v1/staff/requests/x"),
                          ("notifier", "/v1/timers?case_id=x"), ("reports", "/v1/reports/summary")):
        with client(platform, service, None) as c:
            for name, token in tokens.items():
                answer = c.get(path, headers={"Authorization": f"Bearer {token}"})
                assert answer.status_code == 401, (service, name, answer.text)
            assert c.get(path, headers={"X-API-Key": "wdk_nobody_x"}).status_code == 401
            assert c.get(path, headers={"Authorization": "Basic YWRtaW46YWRtaW4="}).status_code == 401
            assert c.get(path, headers={"Authorization": "Bearer " + "a" * 10000}).status_code == 401


def test_a_department_key_opens_nothing_but_the_department_api(platform: Platform, targets: Targets) -> None:
    key = {"X-API-Key": dept_key(targets.dept_in)}
    with client(platform, "router", None) as c:
        assert c.get("/v1/departments/cases", headers=key).status_code == 200
        assert c.get("/v1/triage", headers=key).status_code == 403
        assert c.get(f"/v1/units/dept:{targets.dept_out}/cases", headers=key).status_code == 403
        assert c.get(f"/v1/units/dept:{targets.dept_in}/cases", headers=key).status_code == 200
        assert c.get("/v1/departments/cases", headers={"X-API-Key": dept_key(targets.dept_in) + "x"}).status_code == 401


def test_replayed_idempotency_keys_with_another_body_are_refused(platform: Platform) -> None:
    with client(platform, "intake", None) as c:
        key = {"Idempotency-Key": "sec-replay-1"}
        first = c.post("/v1/requests", json={**BASE, "text": "第一次提交"}, headers=key)
        again = c.post("/v1/requests", json={**BASE, "text": "第一次提交"}, headers=key)
        other = c.post("/v1/requests", json={**BASE, "text": "换了内容"}, headers=key)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert other.status_code == 409
    case = fresh_case(platform)
    with client(platform, "router") as router:
        path, key = f"/v1/cases/{case['case_id']}/progress", {"Idempotency-Key": "sec-replay-2"}
        one = router.post(path, json={"actor_id": "sec", "note": "已上门"}, headers=key)
        router.post(f"/v1/cases/{case['case_id']}/accept", json={"actor_id": "sec"})
        one = router.post(path, json={"actor_id": "sec", "note": "已上门"}, headers=key)
        twice = router.post(path, json={"actor_id": "sec", "note": "已上门"}, headers=key)
        changed = router.post(path, json={"actor_id": "sec", "note": "改了说法"}, headers=key)
    assert one.status_code == twice.status_code == 200
    assert [p["note"] for p in twice.json()["progress"]].count("已上门") == 1
    assert changed.status_code == 409 and "Idempotency-Key" in changed.text
