"""Load shedding: answer 503 with Retry-After at once when too many requests are already in progress."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

EXEMPT = ("/healthz", "/readyz", "/metrics")


class InFlightLimit:
    """ASGI middleware refusing HTTP requests beyond `limit` in progress (0 = no limit).

    Past its capacity a service otherwise queues every request it accepts: latency grows for all of them
    and memory with the queue (intake held ~2,000 requests and 350 MB at 200 requests/s on two cores).
    A quick 503 lets the client retry later while the requests already in progress finish in time.
    """

    def __init__(self, app: ASGIApp, *, limit: int, retry_after_s: int = 1, message: str = "") -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0
        self.shed = 0
        self._body = json.dumps({"detail": [{"field": "request", "message": message}]},
                                ensure_ascii=False).encode()
        self._headers = [(b"content-type", b"application/json; charset=utf-8"),
                         (b"retry-after", str(retry_after_s).encode()),
                         (b"content-length", str(len(self._body)).encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0 or scope.get("path", "") in EXEMPT:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            self.shed += 1
            await send({"type": "http.response.start", "status": 503, "headers": self._headers})
            await send({"type": "http.response.body", "body": self._body})
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
