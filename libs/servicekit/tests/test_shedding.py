"""InFlightLimit: requests beyond the limit in progress get 503 + Retry-After; health checks never do."""

from __future__ import annotations

import asyncio

import httpx
from fastapi import FastAPI

from servicekit.shedding import InFlightLimit


def app_with_gate(gate: asyncio.Event, *, limit: int) -> FastAPI:
    app = FastAPI()

    @app.post("/work")
    async def work() -> dict[str, bool]:
        await gate.wait()
        return {"done": True}

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app.add_middleware(InFlightLimit, limit=limit, retry_after_s=2, message="系统繁忙，请稍后再试")
    return app


async def test_requests_beyond_the_limit_are_refused_at_once_and_the_others_finish():
    gate = asyncio.Event()
    transport = httpx.ASGITransport(app=app_with_gate(gate, limit=3))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        held = [asyncio.create_task(client.post("/work")) for _ in range(3)]
        await asyncio.sleep(0.05)
        refused = await client.post("/work")
        assert refused.status_code == 503 and refused.headers["retry-after"] == "2"
        assert refused.json()["detail"][0]["message"] == "系统繁忙，请稍后再试"
        assert (await client.get("/healthz")).status_code == 200
        gate.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200, 200]
        assert (await client.post("/work")).status_code == 200  # room again once they finished


async def test_a_limit_of_zero_refuses_nothing():
    gate = asyncio.Event()
    gate.set()
    transport = httpx.ASGITransport(app=app_with_gate(gate, limit=0))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answers = await asyncio.gather(*(client.post("/work") for _ in range(20)))
    assert {a.status_code for a in answers} == {200}
