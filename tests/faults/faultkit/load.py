"""A bounded load of residents' requests over HTTP, retried like a real client with an Idempotency-Key."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

from faultkit.requests import request_body

RETRYABLE = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Accepted:
    """A request that got its 201: what the resident holds."""

    request_id: str
    tracking_code: str
    access_token: str
    initial_status: str
    at: float  # time.monotonic() of the answer


@dataclass
class LoadResult:
    """What the load saw: accepted requests, statuses, errors, requests given up."""

    accepted: dict[str, Accepted] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    retry_after: list[str] = field(default_factory=list)
    gave_up: int = 0
    broken_in_flight: int = 0  # sent, then the connection broke before any answer

    def accepted_before(self, moment: float) -> list[Accepted]:
        """Requests answered 201 before `moment`."""
        return [a for a in self.accepted.values() if a.at <= moment]


@dataclass
class Load:
    """`count` requests spread evenly over `duration_s`, each retried until `give_up_s` after its first try."""

    base_url: str
    count: int
    duration_s: float
    give_up_s: float = 90.0
    concurrency: int = 32
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    result: LoadResult = field(default_factory=LoadResult)
    sent: int = 0

    async def drive(self) -> LoadResult:
        """Send everything; returns when each request was accepted, refused for good, or given up."""
        rng = random.Random(self.run)
        gate = asyncio.Semaphore(self.concurrency)
        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        async with httpx.AsyncClient(base_url=self.base_url, timeout=15.0, limits=limits) as client:
            start = time.monotonic()
            tasks = []
            for serial in range(self.count):
                await _sleep_until(start + serial * self.duration_s / self.count)
                body = request_body(serial, run=self.run, rng=rng)
                tasks.append(asyncio.create_task(self._one(client, gate, body, serial)))
                self.sent += 1
            await asyncio.gather(*tasks)
        return self.result

    async def _one(self, client: httpx.AsyncClient, gate: asyncio.Semaphore, body: dict, serial: int) -> None:
        key = f"faults-{self.run}-{serial}"
        deadline = time.monotonic() + self.give_up_s
        pause = 0.2
        while time.monotonic() < deadline:
            async with gate:
                answer = await self._post(client, body, key)
            if answer is not None and answer.status_code == 201:
                data = answer.json()
                self.result.accepted[data["id"]] = Accepted(
                    data["id"], data["tracking_code"], data["access_token"], data.get("status", ""), time.monotonic())
                return
            if answer is not None and answer.status_code not in RETRYABLE:
                return
            wait = _retry_after(answer) if answer is not None else None
            await asyncio.sleep(wait if wait is not None else pause)
            pause = min(pause * 2, 2.0)
        self.result.gave_up += 1

    async def _post(self, client: httpx.AsyncClient, body: dict, key: str) -> httpx.Response | None:
        try:
            answer = await client.post("/v1/requests", json=body, headers={"Idempotency-Key": key})
        except httpx.ConnectError:
            self.result.errors["connect"] += 1
            return None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            self.result.errors[type(exc).__name__] += 1
            self.result.broken_in_flight += 1
            return None
        except httpx.TimeoutException as exc:
            self.result.errors[type(exc).__name__] += 1
            return None
        self.result.statuses[answer.status_code] += 1
        if answer.status_code == 503 and "retry-after" in answer.headers:
            self.result.retry_after.append(answer.headers["retry-after"])
        return answer


def _retry_after(answer: httpx.Response) -> float | None:
    value = answer.headers.get("retry-after")
    try:
        return min(float(value), 10.0) if value is not None else None
    except ValueError:
        return None


async def _sleep_until(moment: float) -> None:
    delay = moment - time.monotonic()
    if delay > 0:
        await asyncio.sleep(delay)
