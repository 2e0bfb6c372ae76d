"""Where intake's CPU goes per `POST /v1/requests`, layer by layer: `python -m bench.micro_intake`.

The ASGI apps are called directly in process (no uvicorn, no client, no relay), 16 requests at a time, and
the CPU of the whole process (the SQLite thread too) is divided by the requests: a bare FastAPI route, the
same taking intake's parameters, intake's app with an empty route, intake's real route, and
`Intake.submit` alone. Quoted in docs/performance.md.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse

from bench.payloads import ORG_FILE, mixed_bodies
from intake.config import IntakeSettings
from intake.entrypoints.access import Caller
from intake.entrypoints.api import create_app
from intake.entrypoints.schemas import SubmitRequestIn

WARMUP, MEASURED, AT_ONCE = 100, 1500, 16
ASGIApp = Callable[..., Awaitable[None]]


async def post(app: ASGIApp, path: str, body: bytes) -> int:
    """One POST through the ASGI app; its status."""
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 8000), "state": {}}
    sent, status = False, []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    return status[0]


async def cpu_per_call(call: Callable[[int], Awaitable[Any]]) -> float:
    """µs of process CPU per call, AT_ONCE calls in flight, after a warm-up."""
    for i in range(WARMUP):
        await call(i)
    start = time.process_time()
    for i in range(WARMUP, WARMUP + MEASURED, AT_ONCE):
        await asyncio.gather(*(call(j) for j in range(i, i + AT_ONCE)))
    return (time.process_time() - start) / MEASURED * 1e6


def empty_routes(app: FastAPI) -> None:
    """`/x/request` takes only the Request; `/x/params` takes what intake's submit route takes."""

    async def request_only(request: Request) -> JSONResponse:
        return JSONResponse({"ok": 1}, status_code=201)

    async def intake_params(body: SubmitRequestIn, request: Request, caller: Caller,
                            idempotency_key: Annotated[str | None, Header(max_length=200)] = None) -> JSONResponse:
        return JSONResponse({"ok": 1}, status_code=201)

    app.add_api_route("/x/request", request_only, methods=["POST"])
    app.add_api_route("/x/params", intake_params, methods=["POST"])


async def main_async() -> list[tuple[str, float]]:
    """Each layer's CPU per request."""
    bodies = mixed_bodies(WARMUP + MEASURED + 16)
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = IntakeSettings(data_dir=Path(tmp), rabbitmq_url="amqp://guest:guest@127.0.0.1:5672/",
                                  amqp_prefix=f"micro-{uuid.uuid4().hex[:8]}", org_file=ORG_FILE, mongodb_url=None,
                                  rate_limit_per_ip=10**9, rate_limit_per_phone=10**9, dev_mode=True)
        app = create_app(settings, start_broker=False)
        bare = FastAPI()
        empty_routes(bare)
        empty_routes(app)
        async with app.router.lifespan_context(app):
            bare.state.auth = app.state.auth
            app.state.container.runtime.relay = None  # the relay's publishes are not in these figures
            for label, target, path in (
                    ("bare FastAPI route, Request only", bare, "/x/request"),
                    ("bare FastAPI route, intake's parameters", bare, "/x/params"),
                    ("intake's app, empty route, Request only", app, "/x/request"),
                    ("intake's app, empty route, intake's parameters", app, "/x/params"),
                    ("intake's app, POST /v1/requests", app, "/v1/requests")):
                async def call(i: int, target: Any = target, path: str = path) -> None:
                    status = await post(target, path, bodies[i])
                    if status not in (200, 201):
                        raise RuntimeError(f"{path} answered {status}")
                rows.append((label, await cpu_per_call(call)))
            intake = app.state.container.intake
            models = [SubmitRequestIn.model_validate_json(b) for b in bodies]
            rows.append(("Intake.submit alone", await cpu_per_call(
                lambda i: intake.submit(models[i], now=datetime.now(UTC)))))
    return rows


def main() -> None:
    """Print the table."""
    for label, micros in asyncio.run(main_async()):
        print(f"{label:<50} {micros:8.0f} µs CPU per request")


if __name__ == "__main__":
    main()
