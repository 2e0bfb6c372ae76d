"""Back-pressure: while the relay cannot publish and the outbox holds its limit, intake answers 503 + Retry-After."""

from __future__ import annotations

import asyncio

from intake.config import DEV_STAFF_TOKENS

BODY = {"compound_id": "qc-wj-bh-hw", "text": "楼道灯坏了好几天，晚上看不见路。", "location": {"building": "B"}}
OPEN311 = {"api_key": "dev-open311-key", "service_code": "elevator", "lat": "36.0671", "long": "120.3826",
           "attribute[compound]": "qc-wj-bh-hw", "attribute[building]": "B", "description": "B栋电梯停在8楼不动了"}
STAFF = {"Authorization": f"Bearer {DEV_STAFF_TOKENS.split(':')[0]}"}


async def test_intake_refuses_with_503_and_retry_after_once_the_unpublished_backlog_reaches_its_limit(
        app_with, monkeypatch):
    async with app_with(outbox_limit=3, outbox_retry_after_s=7) as (client, app):
        container = app.state.container
        relay = container.runtime.relay
        real_drain = relay.drain_once

        async def broker_away() -> int:
            raise ConnectionError("broker unreachable (simulated)")

        monkeypatch.setattr(relay, "drain_once", broker_away)
        accepted = [await client.post("/v1/requests", json=BODY) for _ in range(3)]
        assert [a.status_code for a in accepted] == [201, 201, 201]

        refused = await client.post("/v1/requests", json=BODY)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "7"
        assert refused.json()["detail"][0]["message"].startswith("系统繁忙")
        assert (await client.post("/v1/requests", json=BODY, headers=STAFF)).status_code == 503
        o311 = await client.post("/open311/v2/requests.json", data=OPEN311)
        assert o311.status_code == 503 and o311.headers["Retry-After"] == "7"
        assert o311.json()[0]["code"] == 503
        assert await container.repo.count() == 3
        assert await container.repo.outbox.pending_count() == 3

        monkeypatch.setattr(relay, "drain_once", real_drain)
        relay.wake()
        for _ in range(100):
            if await container.repo.outbox.pending_count() == 0:
                break
            await asyncio.sleep(0.1)
        assert await container.repo.outbox.pending_count() == 0
        await asyncio.sleep(1.1)  # the backlog is counted again at most once a second
        assert (await client.post("/v1/requests", json=BODY)).status_code == 201
        assert await container.repo.count() == 4
