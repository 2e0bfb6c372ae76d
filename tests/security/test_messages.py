"""Messages on the running platform: malformed, misrouted, wrongly typed and forged events are dead-lettered
on every queue they reach, with the reason, and never applied; the consumers keep going."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import aio_pika
import pytest
from sec_client import client, fresh_case
from sec_platform import Platform
from sec_seed import Targets

from contracts.envelope import Envelope, new_event
from contracts.events.cases import CaseRouted
from contracts.events.common import CategoryRef, Place, UnitRef
from contracts.events.department import DeptCaseAccepted
from contracts.events.intake import RequestSubmitted
from servicekit.consumer import REASON_HEADER

pytestmark = pytest.mark.rabbitmq
NOW = datetime.now(UTC)


def submitted(source: str = "/whistle/intake") -> Envelope:
    data = RequestSubmitted(request_id=f"forged-{uuid.uuid4().hex[:8]}", tracking_code="WS-forged", channel="api",
                            place=Place(community_id="qc-jh-jh", compound_id="qc-jh-jh-hy"), text="伪造的诉求",
                            submitted_at=NOW)
    return new_event(data, source=source, subject=data.request_id)


def routed(source: str) -> Envelope:
    data = CaseRouted(case_id=f"FORGED-{uuid.uuid4().hex[:8]}", request_ids=["r-forged"],
                      place=Place(community_id="qc-jh-jh"), category=CategoryRef(class_code="safety"),
                      classified_by="rule", tier=1, units=[UnitRef(unit_id="u-jh-jh-sec", kind="secretary", name="x")],
                      sla_policy="standard", routed_at=NOW)
    return new_event(data, source=source, subject=data.case_id)


def reply(case_id: str, dept: str, source: str) -> Envelope:
    return new_event(DeptCaseAccepted(case_id=case_id, dept_code=dept, note="伪造", occurred_at=NOW), source=source,
                     subject=case_id)


def raw(envelope: Envelope, **changes: Any) -> bytes:
    body = json.loads(envelope.model_dump_json())
    body.update(changes)
    return json.dumps(body, ensure_ascii=False).encode()


async def publish(p: Platform, messages: list[tuple[str, str, bytes]]) -> None:
    connection = await aio_pika.connect(p.rabbitmq_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(p.topology.events_exchange)
        for message_id, key, body in messages:
            await exchange.publish(aio_pika.Message(body, message_id=message_id, content_type="application/json",
                                                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT), routing_key=key)


async def dead_letters(p: Platform, wanted: set[tuple[str, str]], timeout: float = 30.0) -> dict:
    """Take dead letters until every (message id, queue) in `wanted` arrived; returns their reasons."""
    found: dict[tuple[str, str], str] = {}
    connection = await aio_pika.connect(p.rabbitmq_url)
    async with connection:
        queue = await (await connection.channel()).declare_queue(p.topology.dead_letter_queue, passive=True)
        deadline = asyncio.get_running_loop().time() + timeout
        while not wanted <= set(found) and asyncio.get_running_loop().time() < deadline:
            message = await queue.get(fail=False)
            if message is None:
                await asyncio.sleep(0.1)
                continue
            await message.ack()
            headers = message.headers or {}
            found[(str(message.message_id), str(headers.get("x-whistle-queue")))] = str(headers.get(REASON_HEADER))
    return found


def test_bad_and_forged_events_are_dead_lettered_with_the_reason_on_every_queue(
        platform: Platform, targets: Targets) -> None:
    forged_routed, forged_request = routed("/whistle/intake"), submitted("/whistle/router")
    good = submitted()
    messages = {
        "malformed-requests": ("request.submitted.v1", b'{"specversion": "1.0", "id": '),
        "malformed-depts": ("dept.case.accepted.v1", b"\xff\xfe not json"),
        "malformed-sla": ("sla.breached.v1", b'{"specversion": "1.0"}'),
        "malformed-cases": ("case.routed.v1", b"[]"),
        "misrouted": ("sla.breached.v1", raw(routed("/whistle/router"))),
        "wrongly-typed": ("request.submitted.v1", raw(good, data={**good.data, "text": 42})),
        "unknown-type": ("case.routed.v1", raw(good, type="case.exploded.v1")),
        "forged-routed": ("case.routed.v1", forged_routed.model_dump_json().encode()),
        "forged-request": ("request.submitted.v1", forged_request.model_dump_json().encode()),
        "forged-dept": ("dept.case.accepted.v1",
                        reply(targets.case_id, targets.dept_out, f"/departments/{targets.dept_in}")
                        .model_dump_json().encode()),
    }
    queues = {"request.submitted.v1": ("router.requests", "reports.events"),
              "dept.case.accepted.v1": ("router.departments", "reports.events"),
              "sla.breached.v1": ("router.sla", "reports.events"),
              "case.routed.v1": ("notifier.cases", "intake.case-updates", "reports.events")}
    wanted = {(mid, queue) for mid, (key, _) in messages.items() for queue in queues[key]}
    with client(platform, "reports") as reports:
        before = reports.get("/v1/reports/summary").json()["totals"]["cases"]
    asyncio.run(publish(platform, [(mid, key, body) for mid, (key, body) in messages.items()]))
    found = asyncio.run(dead_letters(platform, wanted))
    assert wanted <= set(found), sorted(wanted - set(found))
    assert "unreadable" in found[("malformed-requests", "router.requests")]
    assert "does not match" in found[("misrouted", "reports.events")]
    assert "does not belong" in found[("misrouted", "router.sla")] or "does not match" in found[
        ("misrouted", "router.sla")]
    assert "'/whistle/intake' may not publish case.routed.v1" in found[("forged-routed", "notifier.cases")]
    assert "'/whistle/router' may not publish request.submitted.v1" in found[("forged-request", "router.requests")]
    assert f"'/departments/{targets.dept_in}' may not publish" in found[("forged-dept", "router.departments")]
    with client(platform, "notifier") as notifier, client(platform, "router") as router:
        assert notifier.get("/v1/timers", params={"case_id": forged_routed.data["case_id"]}).status_code == 404
        cases = router.get("/v1/cases", params={"community_id": "qc-jh-jh", "limit": 500}).json()
        assert not any(forged_request.data["request_id"] in c["request_ids"] for c in cases)
        fire = router.get(f"/v1/cases/{targets.case_id}").json()
        assert targets.dept_out not in fire["dept_status"]
    with client(platform, "reports") as reports:
        assert reports.get("/v1/reports/summary").json()["totals"]["cases"] == before
    assert fresh_case(platform, "5号楼垃圾桶满了没人清理", "5")["status"]  # every consumer still works


def test_a_reply_from_a_department_not_whistled_on_the_case_is_not_applied(
        platform: Platform, targets: Targets) -> None:
    honest = reply(targets.case_id, targets.dept_out, f"/departments/{targets.dept_out}")
    asyncio.run(publish(platform, [(honest.id, "dept.case.accepted.v1", honest.model_dump_json().encode())]))
    with client(platform, "router") as router:
        for _ in range(50):  # it is consumed and acknowledged (logged as rejected), never applied
            fire = router.get(f"/v1/cases/{targets.case_id}").json()
            assert targets.dept_out not in fire["dept_status"]
            assert not any(h.get("actor_id") == targets.dept_out for h in fire["history"])
            asyncio.run(asyncio.sleep(0.05))
    found = asyncio.run(dead_letters(platform, {(honest.id, "router.departments")}, timeout=2))
    assert (honest.id, "router.departments") not in found
