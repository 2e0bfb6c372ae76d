"""Open311 GeoReport v2 conformance, field by field, in JSON and XML (http://wiki.open311.org/GeoReport_v2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import defusedxml.ElementTree as SafeET
import pytest

pytestmark = pytest.mark.rabbitmq
P = "/open311/v2"
KEY = "dev-open311-key"

# Field lists as the GeoReport v2 documentation defines them.
DISCOVERY_FIELDS = {"changeset", "contact", "key_service", "endpoints"}
ENDPOINT_FIELDS = {"specification", "url", "changeset", "type", "formats"}
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
DEFINITION_FIELDS = {"service_code", "attributes"}
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description",
                    "values"}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
POST_FIELDS = {"service_request_id", "service_notice", "account_id"}
TOKEN_FIELDS = {"service_request_id", "token"}
ERROR_FIELDS = {"code", "description"}

FORM = {"api_key": KEY, "service_code": "elevator", "lat": "36.0671", "long": "120.3826",
        "attribute[compound]": "qc-wj-bh-hw", "attribute[building]": "B", "attribute[trapped]": "yes",
        "description": "B栋2号电梯停在8楼不动，里面好像有人。", "first_name": "芳", "last_name": "王",
        "phone": "13812345678", "email": "wang@example.cn"}


@pytest.fixture
def app_client(app_client):
    """The shared client, sending the Open311 API key with every read as well (reads need it too)."""
    client, app = app_client
    client.params = {"api_key": KEY}
    return client, app


async def test_reading_requests_needs_the_api_key_too(app_client):
    client, _ = app_client
    client.params = {}
    for path in ("requests.json", "requests/x.json", "tokens/WS-1.json", "requests.xml"):
        answer = await client.get(f"{P}/{path}")
        assert answer.status_code == 403 and "api_key" in answer.text
    assert (await client.get(f"{P}/requests.json", params={"api_key": "wrong"})).status_code == 403
    assert (await client.get(f"{P}/services.json")).status_code == 200  # the service list stays public


def xml_tree(content: bytes):
    root = SafeET.fromstring(content)
    return root


def children(node) -> set[str]:
    return {c.tag for c in node}


async def both(client, path, **kw):
    """The JSON and the XML answer of one GET."""
    js = await client.get(f"{P}/{path}.json", **kw)
    xm = await client.get(f"{P}/{path}.xml", **kw)
    assert js.headers["content-type"].startswith("application/json")
    assert xm.headers["content-type"].startswith("text/xml")
    return js, xm


async def post(client, data, fmt="json"):
    return await client.post(f"{P}/requests.{fmt}", data=data)


def assert_w3c(value: str | None, allow_none=False):
    if value is None:
        assert allow_none
        return
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None


async def test_discovery_lists_the_endpoint_and_both_formats(app_client):
    client, _ = app_client
    js, xm = await both(client, "discovery")
    body = js.json()
    assert set(body) == DISCOVERY_FIELDS
    assert set(body["endpoints"][0]) == ENDPOINT_FIELDS
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert set(body["endpoints"][0]["formats"]) == {"text/xml", "application/json"}
    assert body["endpoints"][0]["type"] in ("production", "test")
    root = xml_tree(xm.content)
    assert root.tag == "discovery" and children(root) == DISCOVERY_FIELDS
    endpoint = root.find("endpoints/endpoint")
    assert children(endpoint) == ENDPOINT_FIELDS
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]


async def test_services_carry_every_standard_field_with_a_group(app_client):
    client, _ = app_client
    js, xm = await both(client, "services")
    services = js.json()
    assert len(services) == 20
    for s in services:
        assert set(s) == SERVICE_FIELDS
        assert s["type"] in ("realtime", "batch", "blackbox")
        assert isinstance(s["metadata"], bool)
    assert {s["group"] for s in services} == {"矛盾纠纷", "安全隐患", "民生咨询", "发展诉求"}
    root = xml_tree(xm.content)
    assert root.tag == "services"
    xml_services = root.findall("service")
    assert len(xml_services) == 20
    assert all(children(s) == SERVICE_FIELDS for s in xml_services)
    assert xml_services[0].findtext("metadata") in ("true", "false")
    fire = next(s for s in xml_services if s.findtext("service_code") == "fire")
    assert fire.findtext("service_name") == "消防" and fire.findtext("group") == "安全隐患"


async def test_a_service_definition_lists_attributes_in_the_standard_shape(app_client):
    client, _ = app_client
    js, xm = await both(client, "services/elevator")
    body = js.json()
    assert set(body) == DEFINITION_FIELDS and body["service_code"] == "elevator"
    codes = [a["code"] for a in body["attributes"]]
    assert codes == ["compound", "building", "unit", "room", "trapped"]
    for order, attr in enumerate(body["attributes"], start=1):
        assert set(attr) == ATTRIBUTE_FIELDS
        assert attr["datatype"] in DATATYPES and attr["order"] == order
        assert isinstance(attr["variable"], bool) and isinstance(attr["required"], bool)
        for value in attr["values"]:
            assert set(value) == {"key", "name"}
    assert body["attributes"][0]["required"] is True
    root = xml_tree(xm.content)
    assert root.tag == "service_definition"
    attrs = root.findall("attributes/attribute")
    assert len(attrs) == 5 and all(children(a) == ATTRIBUTE_FIELDS for a in attrs)
    assert attrs[4].find("values/value").findtext("key") == "yes"
    for fmt in ("json", "xml"):
        missing = await client.get(f"{P}/services/nope.{fmt}")
        assert missing.status_code == 404


async def test_post_requests_needs_an_api_key_and_answers_errors_in_the_standard_format(app_client):
    client, app = app_client
    for data in ({k: v for k, v in FORM.items() if k != "api_key"}, {**FORM, "api_key": "wrong"}):
        res = await post(client, data)
        assert res.status_code == 403
        assert [set(e) for e in res.json()] == [ERROR_FIELDS] and res.json()[0]["code"] == 403
        res = await post(client, data, "xml")
        root = xml_tree(res.content)
        assert res.status_code == 403 and root.tag == "errors"
        assert children(root.find("error")) == ERROR_FIELDS and root.findtext("error/code") == "403"
    assert await app.state.container.repo.count() == 0


@pytest.mark.parametrize(("change", "needle"), [
    ({"service_code": ""}, "service_code"),
    ({"service_code": "unicorns"}, "service_code"),
    ({"lat": "", "long": ""}, "address_string"),
    ({"lat": "north"}, "lat"),
    ({"attribute[compound]": ""}, "attribute[compound]"),
    ({"attribute[compound]": "nowhere"}, "attribute[compound]"),
    ({"description": ""}, "description"),
    ({"description": "长" * 4001}, "description"),
])
async def test_post_requests_refuses_bad_parameters_with_400(app_client, change, needle):
    client, app = app_client
    for fmt in ("json", "xml"):
        res = await post(client, {**FORM, **change}, fmt)
        assert res.status_code == 400
        description = res.json()[0]["description"] if fmt == "json" else xml_tree(res.content).findtext(
            "error/description")
        assert needle in description
    assert await app.state.container.repo.count() == 0


async def test_post_then_get_by_id_by_token_and_by_filters_without_contact_data(app_client):
    client, app = app_client
    res = await post(client, FORM)
    assert res.status_code == 201
    created = res.json()
    assert len(created) == 1 and POST_FIELDS <= set(created[0])
    rid, token = created[0]["service_request_id"], created[0]["token"]
    xml_post = await post(client, {**FORM, "description": "另一部电梯也停了"}, "xml")
    root = xml_tree(xml_post.content)
    assert root.tag == "service_requests" and POST_FIELDS <= children(root.find("request"))

    js, xm = await both(client, f"requests/{rid}")
    one = js.json()
    assert len(one) == 1 and set(one[0]) == REQUEST_FIELDS
    r = one[0]
    assert (r["service_request_id"], r["status"], r["service_code"], r["service_name"]) == (
        rid, "open", "elevator", "电梯")
    assert r["description"].startswith("B栋2号电梯停在8楼不动") and "有人被困" in r["description"]
    assert (r["lat"], r["long"]) == (36.0671, 120.3826)
    assert_w3c(r["requested_datetime"])
    assert_w3c(r["updated_datetime"])
    assert r["expected_datetime"] is None and r["agency_responsible"] is None
    assert r["status_notes"].startswith("已受理")
    assert "海湾公寓" in r["address"]
    xml_request = xml_tree(xm.content).find("request")
    assert children(xml_request) == REQUEST_FIELDS
    assert xml_request.findtext("service_request_id") == rid and xml_request.findtext("status") == "open"
    for answer in (js.text, xm.text):
        assert "13812345678" not in answer and "王" not in answer and "wang@" not in answer

    tj, tx = await both(client, f"tokens/{token}")
    assert tj.json() == [{"service_request_id": rid, "token": token}]
    assert children(xml_tree(tx.content).find("request")) == TOKEN_FIELDS
    for path in (f"requests/{'0' * 8}", "tokens/WS-00000000-000000"):
        js404, xm404 = await both(client, path)
        assert js404.status_code == xm404.status_code == 404
        assert xml_tree(xm404.content).tag == "errors"

    stored = await app.state.container.repo.get(rid)
    assert stored.channel == "open311" and stored.phone_masked == "138****5678" and stored.name_masked == "王*"


async def test_get_requests_filters_and_status_mapping(app_client):
    client, app = app_client
    repo = app.state.container.repo
    ids = []
    for code in ("elevator", "fire", "noise"):
        res = await post(client, {**FORM, "service_code": code, "attribute[trapped]": ""})
        ids.append(res.json()[0]["service_request_id"])
    done = await repo.get(ids[1])
    done.status, done.unit_name = "resolved", "区消防救援大队"
    done.deadline = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert await repo.save(done, expected_version=done.version, events=[])

    listing = (await client.get(f"{P}/requests.json")).json()
    assert {r["service_request_id"] for r in listing} == set(ids)
    assert all(set(r) == REQUEST_FIELDS for r in listing)
    closed = (await client.get(f"{P}/requests.json", params={"status": "closed"})).json()
    assert [r["service_request_id"] for r in closed] == [ids[1]]
    assert closed[0]["agency_responsible"] == "区消防救援大队"
    assert closed[0]["expected_datetime"] == "2026-11-25T18:00:00+08:00"
    opened = (await client.get(f"{P}/requests.json", params={"status": "open"})).json()
    assert {r["service_request_id"] for r in opened} == {ids[0], ids[2]}
    by_code = (await client.get(f"{P}/requests.json", params={"service_code": "noise,fire"})).json()
    assert {r["service_request_id"] for r in by_code} == {ids[1], ids[2]}
    by_ids = (await client.get(f"{P}/requests.json", params={"service_request_id": f"{ids[0]},{ids[2]}"})).json()
    assert {r["service_request_id"] for r in by_ids} == {ids[0], ids[2]}
    xml_list = xml_tree((await client.get(f"{P}/requests.xml", params={"status": "closed"})).content)
    assert [r.findtext("service_request_id") for r in xml_list.findall("request")] == [ids[1]]
    assert xml_list.findtext("request/status") == "closed"

    now = datetime.now(UTC)
    window = {"start_date": (now - timedelta(days=1)).isoformat(), "end_date": (now + timedelta(days=1)).isoformat()}
    assert len((await client.get(f"{P}/requests.json", params=window)).json()) == 3
    past = {"start_date": (now - timedelta(days=30)).isoformat(), "end_date": (now - timedelta(days=2)).isoformat()}
    assert (await client.get(f"{P}/requests.json", params=past)).json() == []
    too_long = {"start_date": (now - timedelta(days=91)).isoformat(), "end_date": now.isoformat()}
    for fmt in ("json", "xml"):
        res = await client.get(f"{P}/requests.{fmt}", params=too_long)
        assert res.status_code == 400
    assert (await client.get(f"{P}/requests.json", params={"status": "pending"})).status_code == 400
    assert (await client.get(f"{P}/requests.json", params={"start_date": "yesterday"})).status_code == 400
    assert (await client.get(f"{P}/requests.yaml")).status_code == 404


async def test_xml_input_is_read_with_defusedxml_and_entity_bombs_are_refused(app_client):
    client, app = app_client
    good = ("<request><api_key>dev-open311-key</api_key><service_code>fire</service_code>"
            "<address_string>金湖花园3号楼</address_string><description>楼道里有人给电动车充电</description>"
            "<attributes><attribute code=\"compound\">qc-jh-jh-hy</attribute></attributes></request>")
    res = await client.post(f"{P}/requests.xml", content=good.encode(), headers={"Content-Type": "text/xml"})
    assert res.status_code == 201
    assert xml_tree(res.content).findtext("request/service_request_id")
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            "<request><api_key>dev-open311-key</api_key><description>&lol2;</description></request>")
    res = await client.post(f"{P}/requests.xml", content=bomb.encode(), headers={"Content-Type": "text/xml"})
    assert res.status_code == 400 and xml_tree(res.content).tag == "errors"
    assert await app.state.container.repo.count() == 1
