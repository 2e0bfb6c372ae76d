"""Against the real RabbitMQ: a submitted request becomes a stored case, case.routed.v1 and whistles."""

from __future__ import annotations

import httpx
import pytest

from contracts.envelope import Envelope
from contracts.events.common import Contact
from router.adapters.sealing import ContactOpener
from router.config import DEV_CONTACT_KEY
from servicekit.broker import EventPublisher, create_broker

from .broker_helpers import delete_topology, make_settings, running, tap, wait_for

pytestmark = pytest.mark.rabbitmq
ALL_DEPTS = ("chengguan", "huanwei", "fangguan", "gongdian", "xiaofang", "paichusuo", "minzheng", "renshe",
             "jiaoyu", "shangwu", "weijian", "jiaotong", "shenpi")


async def publish(url: str, settings, envelope: Envelope) -> None:
    broker = create_broker(url)
    await broker.connect()
    try:
        await EventPublisher(broker, settings.topology).publish(envelope)
    finally:
        await broker.stop()


async def test_a_fire_hazard_is_routed_and_whistled_with_the_contact(tmp_path, rabbitmq_url, submitted):
    settings = make_settings(tmp_path, rabbitmq_url)
    sealed = ContactOpener(DEV_CONTACT_KEY).seal(Contact(name="李女士", phone="13800000000"))
    request = submitted("3号楼楼道里好几辆电动车飞线充电，消防通道也被堵了", request_id="r-fire",
                        building="3", sealed=sealed)
    try:
        async with running(settings) as app, tap(rabbitmq_url, settings.topology.events_exchange,
                                                 ("case.routed.v1", "whistle.*.v1")) as seen:
            await publish(rabbitmq_url, settings, request)
            await publish(rabbitmq_url, settings, request)  # a redelivered duplicate changes nothing
            await wait_for(lambda: len(seen) >= 2)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://router") as client:
                listed = (await client.get("/v1/cases", params={"community_id": "qc-jh-jh"})).json()
                case = (await client.get(f"/v1/cases/{listed[0]['case_id']}")).json()
                ready = await client.get("/readyz")
        assert ready.status_code == 200
        routed = [m for m in seen if m["type"] == "case.routed.v1"]
        whistles = [m for m in seen if m["type"] == "whistle.issued.v1"]
        assert len(routed) == 1 and len(whistles) == 1 and len(listed) == 1
        assert routed[0]["data"]["category"] == {"class_code": "safety", "sub_category": "fire", "domain": None}
        assert routed[0]["data"]["tier"] == 3 and routed[0]["data"]["departments"] == ["xiaofang"]
        assert routed[0]["causationid"] == request.id
        assert whistles[0]["_routing_key"] == "whistle.xiaofang.v1"
        assert whistles[0]["data"]["contact"]["phone"] == "13800000000"
        assert case["status"] == "whistled" and case["request_ids"] == ["r-fire"]
        assert "contact_sealed" not in str(case)
    finally:
        await delete_topology(rabbitmq_url, settings, ALL_DEPTS)


async def test_a_leak_goes_to_the_grid_without_a_whistle_and_the_contact_stays_home(tmp_path, rabbitmq_url, submitted):
    settings = make_settings(tmp_path, rabbitmq_url)
    sealed = ContactOpener(DEV_CONTACT_KEY).seal(Contact(phone="13900000000"))
    request = submitted("楼上卫生间漏水，我家天花板在滴水", request_id="r-leak", building="6", sealed=sealed)
    try:
        async with running(settings), tap(rabbitmq_url, settings.topology.events_exchange, ("#",)) as seen:
            await publish(rabbitmq_url, settings, request)
            await wait_for(lambda: any(m["type"] == "case.routed.v1" for m in seen))
        routed = next(m for m in seen if m["type"] == "case.routed.v1")
        assert routed["data"]["units"][0]["unit_id"] == "u-g-jh-jh-hy-2"
        assert routed["data"]["sla_policy"] == "leak-urgent" and routed["data"]["departments"] == []
        assert not any(m["type"] == "whistle.issued.v1" for m in seen)
        assert "13900000000" not in str(seen)
    finally:
        await delete_topology(rabbitmq_url, settings, ALL_DEPTS)
