"""Request guards: rate limits (429 + Retry-After)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import Request

from intake.adapters.ratelimit import RateLimiter
from intake.entrypoints.deps import container_of


class RateLimited(Exception):
    """Too many submissions; answer 429 with Retry-After."""

    def __init__(self, retry_after: int, field: str) -> None:
        super().__init__(field)
        self.retry_after = retry_after
        self.field = field


@dataclass
class Limiters:
    """One limiter per key kind."""

    by_ip: RateLimiter
    by_phone: RateLimiter


def client_address(request: Request) -> str:
    """The peer address (a proxy in front should be configured to pass the real one to uvicorn)."""
    return request.client.host if request.client else "unknown"


def enforce_rate_limits(request: Request, phone: str | None) -> None:
    """Count this submission against its address and phone; raise RateLimited when over."""
    limiters: Limiters = request.app.state.limiters
    now = time.monotonic()
    checks = [(limiters.by_ip, f"ip:{client_address(request)}", "ip")]
    if phone:
        key = container_of(request).intake.cipher.phone_key(phone)
        checks.append((limiters.by_phone, f"phone:{key}", "contact.phone"))
    for limiter, key, field in checks:
        wait = limiter.wait(key, now)
        if wait:
            request.app.state.metrics.rate_limited.labels(field).inc()
            raise RateLimited(wait, field)
    for limiter, key, _ in checks:
        limiter.hit(key, now)
