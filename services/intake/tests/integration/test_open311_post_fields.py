"""GeoReport v2 POST requests, parameter by parameter, in JSON and XML: what is kept, where, and who sees it.

email, device_id and account_id identify the person: encrypted with the contact, never in GET responses,
erased by retention. media_url is public and comes back as `media_url`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import defusedxml.ElementTree as SafeET
import pytest

from intake.retention import purge_contacts

pytestmark = pytest.mark.rabbitmq
P = "/open311/v2"
KEY = "dev-open311-key"
STAFF = {"Authorization": "Bearer dev-staff-token"}
BASE = {"api_key": KEY, "service_code": "elevator", "lat": "36.0671", "long": "120.3826",
        "attribute[compound]": "qc-wj-bh-hw", "description": "B栋2号电梯停在8楼不动。"}
PERSONAL = {"email": "wang.fang@example.cn", "device_id": "IMEI-866123045678901", "account_id": "app-user-4711",
            "first_name": "芳", "last_name": "王", "phone": "13812345678"}
MEDIA = "https://img.example.cn/reports/2026/11/elevator.jpg?size=large"


@pytest.fixture
def app_client(app_client):
    client, app = app_client
    client.params = {"api_key": KEY}
    return client, app


async def post(client, data, fmt="json"):
    return await client.post(f"{P}/requests.{fmt}", data=data)


def error_of(res, fmt: str) -> str:
    if fmt == "json":
        return str(res.json()[0]["description"])
    return SafeET.fromstring(res.content).findtext("error/description") or ""


async def created_id(client, data, fmt="json") -> str:
    res = await post(client, data, fmt)
    assert res.status_code == 201, res.text
    if fmt == "json":
        return str(res.json()[0]["service_request_id"])
    return SafeET.fromstring(res.content).findtext("request/service_request_id") or ""


async def views(client, rid: str) -> tuple[dict, object]:
    js = await client.get(f"{P}/requests/{rid}.json")
    xm = await client.get(f"{P}/requests/{rid}.xml")
    return js.json()[0], SafeET.fromstring(xm.content).find("request")


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_media_url_is_kept_and_shown_in_get_responses(app_client, fmt):
    client, _ = app_client
    rid = await created_id(client, {**BASE, "media_url": MEDIA}, fmt)
    one, xml_one = await views(client, rid)
    assert one["media_url"] == MEDIA
    assert xml_one.findtext("media_url") == MEDIA
    listed = (await client.get(f"{P}/requests.{fmt}")).content.decode()
    assert MEDIA.replace("&", "&amp;") in listed
    plain = await created_id(client, BASE, fmt)
    one, xml_one = await views(client, plain)
    assert one["media_url"] is None and xml_one.findtext("media_url") == ""


BAD_MEDIA = ["javascript:alert(1)", "ftp://files.example.cn/a.jpg", "img.example.cn/a.jpg",
             "https://user:secret@img.example.cn/a.jpg", "https://img.example.cn/a b.jpg", "https:///nohost.jpg",
             "https://img.example.cn/" + "x" * 2000]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_a_media_url_that_is_not_a_plain_web_link_is_refused(app_client, fmt):
    client, app = app_client
    for bad in BAD_MEDIA:
        res = await post(client, {**BASE, "media_url": bad}, fmt)
        assert res.status_code == 400 and "media_url" in error_of(res, fmt), bad
    assert await app.state.container.repo.count() == 0


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_email_device_and_account_are_kept_encrypted_with_the_contact_and_never_shown(app_client, settings,
                                                                                          fmt):
    client, app = app_client
    res = await post(client, {**BASE, **PERSONAL}, fmt)
    assert res.status_code == 201
    if fmt == "json":
        assert res.json()[0]["account_id"] == "app-user-4711"
    else:
        assert SafeET.fromstring(res.content).findtext("request/account_id") == "app-user-4711"
    rid = (res.json()[0]["service_request_id"] if fmt == "json"
           else SafeET.fromstring(res.content).findtext("request/service_request_id"))
    stored = await app.state.container.repo.get(rid)
    contact = app.state.container.intake.cipher.decrypt(stored.contact_enc)
    assert contact == {"name": "王芳", "phone": "13812345678", "email": "wang.fang@example.cn",
                       "device_id": "IMEI-866123045678901", "account_id": "app-user-4711"}
    assert (stored.phone_masked, stored.name_masked) == ("138****5678", "王*")
    raw = settings.sqlite_path().read_bytes() + (settings.data_dir / "intake.sqlite3-wal").read_bytes()
    for secret in ("wang.fang@example.cn", "IMEI-866123045678901", "app-user-4711", "13812345678"):
        assert secret.encode() not in raw
    answers = [(await client.get(f"{P}/requests/{rid}.{f}")).text for f in ("json", "xml")]
    answers += [(await client.get(f"{P}/requests.{f}")).text for f in ("json", "xml")]
    for answer in answers:
        for secret in ("wang.fang", "IMEI-866", "app-user", "13812345678", "王芳", "王*"):
            assert secret not in answer
    staff = (await client.get(f"/v1/staff/requests/{rid}", headers=STAFF)).json()
    assert staff["contact"]["email"] == "wang.fang@example.cn" and staff["contact"]["device_id"].startswith("IMEI")


async def test_an_email_alone_is_still_contact_data(app_client):
    client, app = app_client
    rid = await created_id(client, {**BASE, "email": "li@example.cn"})
    stored = await app.state.container.repo.get(rid)
    assert app.state.container.intake.cipher.decrypt(stored.contact_enc) == {"email": "li@example.cn"}
    assert stored.phone_masked is None and stored.name_masked is None


BAD_PARAMETERS = [
    ({"email": "not-an-address"}, "email"),
    ({"email": "a@b"}, "email"),
    ({"email": "wang fang@example.cn"}, "email"),
    ({"device_id": "d" * 201}, "device_id"),
    ({"device_id": "abc\x00def"}, "device_id"),
    ({"account_id": "a" * 201}, "account_id"),
    ({"phone": "call me"}, "phone"),
    ({"first_name": "芳" * 30, "last_name": "王" * 30}, "first_name/last_name"),
    ({"description": "长" * 4001}, "description"),
    ({"description": "   "}, "description"),
    ({"lat": "91", "long": "120"}, "lat"),
    ({"lat": "36", "long": "181"}, "long"),
    ({"long": ""}, "lat and long"),
    ({"attribute[compound]": "nowhere"}, "attribute[compound]"),
    ({"attribute[building]": "楼" * 51}, "attribute[building]"),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_each_bad_parameter_is_refused_naming_it(app_with, fmt):
    async with app_with(rate_limit_per_phone=1000) as (client, app):
        client.params = {"api_key": KEY}
        await _refused_one_by_one(client, app, fmt)


async def _refused_one_by_one(client, app, fmt: str) -> None:
    for change, needle in BAD_PARAMETERS:
        res = await post(client, {**BASE, **PERSONAL, **change}, fmt)
        assert res.status_code == 400, change
        assert needle in error_of(res, fmt), (change, error_of(res, fmt))
    assert await app.state.container.repo.count() == 0


@pytest.mark.parametrize(("first", "last", "name"), [("芳", "王", "王芳"), ("Fang", "Wang", "Fang Wang"),
                                                     ("", "王", "王"), ("Fang", "", "Fang")])
async def test_first_and_last_name_make_the_contact_name_in_the_order_of_the_language(app_client, first, last, name):
    client, app = app_client
    rid = await created_id(client, {**BASE, "first_name": first, "last_name": last, "phone": "13812345678"})
    stored = await app.state.container.repo.get(rid)
    assert app.state.container.intake.cipher.decrypt(stored.contact_enc)["name"] == name


async def test_location_by_address_string_or_address_id_and_attributes(app_client):
    client, app = app_client
    no_coordinates = {k: v for k, v in BASE.items() if k not in ("lat", "long")}
    by_address = await created_id(client, {**no_coordinates, "address_string": "海湾公寓B栋2单元",
                                           "attribute[building]": "B", "attribute[unit]": "2",
                                           "attribute[room]": "801", "attribute[trapped]": "yes",
                                           "attribute[colour]": "ignored"})
    one, xml_one = await views(client, by_address)
    assert (one["lat"], one["long"]) == (None, None)
    assert "海湾公寓B栋2单元" in one["address"] and "B号楼" in one["address"]
    assert one["description"] == "B栋2号电梯停在8楼不动。（是否有人被困：有人被困）"
    assert xml_one.findtext("description") == one["description"]
    stored = await app.state.container.repo.get(by_address)
    assert (stored.building, stored.unit, stored.room) == ("B", "2", "801")
    by_id = await created_id(client, {**no_coordinates, "address_id": "QD-SN-000123"})
    assert "QD-SN-000123" in (await views(client, by_id))[0]["address"]
    by_coordinates, xml_coordinates = await views(client, await created_id(client, BASE))
    assert (by_coordinates["lat"], by_coordinates["long"]) == (36.0671, 120.3826)
    assert (xml_coordinates.findtext("lat"), xml_coordinates.findtext("long")) == ("36.0671", "120.3826")


async def test_the_xml_body_extension_carries_the_same_parameters(app_client):
    client, app = app_client
    body = ("<request><api_key>dev-open311-key</api_key><service_code>fire</service_code>"
            "<address_string>金湖花园3号楼</address_string><description>楼道里有人给电动车充电</description>"
            f"<media_url>{MEDIA.replace('&', '&amp;')}</media_url><email>zhao@example.cn</email>"
            "<device_id>ios-7F3A</device_id><account_id>wx-889</account_id>"
            "<attributes><attribute code=\"compound\">qc-jh-jh-hy</attribute></attributes></request>")
    res = await client.post(f"{P}/requests.xml", content=body.encode(), headers={"Content-Type": "text/xml"})
    assert res.status_code == 201
    answer = SafeET.fromstring(res.content)
    assert answer.findtext("request/account_id") == "wx-889"
    rid = answer.findtext("request/service_request_id")
    one, _ = await views(client, rid)
    assert one["media_url"] == MEDIA
    stored = await app.state.container.repo.get(rid)
    assert app.state.container.intake.cipher.decrypt(stored.contact_enc) == {
        "email": "zhao@example.cn", "device_id": "ios-7F3A", "account_id": "wx-889"}


async def test_retention_erases_email_device_and_account_with_the_rest_of_the_contact(app_client):
    client, app = app_client
    repo = app.state.container.repo
    rid = await created_id(client, {**BASE, **PERSONAL, "media_url": MEDIA})
    req = await repo.get(rid)
    req.status, req.closed_at = "closed", datetime.now(UTC) - timedelta(days=200)
    assert await repo.save(req, expected_version=req.version, events=[])
    assert await purge_contacts(repo, now=datetime.now(UTC), days=180) == 1
    purged = await repo.get(rid)
    assert purged.contact_enc is None and purged.contact_purged
    assert purged.media_url == MEDIA  # not contact data: the public link stays
    staff = (await client.get(f"/v1/staff/requests/{rid}", headers=STAFF)).json()
    assert staff["contact"] is None
