"""Open-loop load generator: requests leave at a fixed arrival rate whatever the server does.

Run as its own process (`python -m bench.loadgen …`). Request i is due at start + i/rate; its latency is
measured from that scheduled instant, not from when a connection became free, so a slow server cannot
slow the client down and hide its own queueing (coordinated omission). The first `--warmup` seconds are
sent at the same rate and left out of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import uvloop

from bench.payloads import ORG_FILE, mixed_bodies, whistle_bodies
from bench.rawhttp import Pool, encode_request
from bench.stats import percentile, summary_ms


class Run:
    """One load run: the requests, the pool and what came back."""

    def __init__(self, url: str, requests: list[bytes], *, rate: float, warmup_n: int, timeout_s: float,
                 connections: int, extract: str | None) -> None:
        parts = urlsplit(url)
        self.pool = Pool(parts.hostname or "127.0.0.1", parts.port or 80, connections)
        self.requests, self.rate, self.warmup_n = requests, rate, warmup_n
        self.timeout_s, self.extract = timeout_s, extract
        self.latency: list[float | None] = [None] * len(requests)
        self.lag: list[float] = [0.0] * len(requests)
        self.status: list[int] = [0] * len(requests)
        self.extracted: list[str | None] = [None] * len(requests)
        self.scheduled_wall: list[float] = [0.0] * len(requests)

    async def one(self, i: int, due: float) -> None:
        """Send request i (due at loop time `due`) and record its outcome."""
        loop = asyncio.get_running_loop()
        conn = None
        try:
            async with asyncio.timeout_at(due + self.timeout_s):
                conn = await self.pool.acquire()
                self.lag[i] = loop.time() - due
                status, body, reusable = await conn.exchange(self.requests[i])
            self.latency[i], self.status[i] = loop.time() - due, status
            self.pool.release(conn, reusable=reusable)
            if self.extract and 200 <= status < 300:
                self.extracted[i] = json.loads(body).get(self.extract)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
            self.status[i] = 0
            if conn is not None:
                self.pool.release(conn, reusable=False)

    async def run(self) -> float:
        """Launch every request at its instant; wait for the stragglers; return the sending time span."""
        loop = asyncio.get_running_loop()
        start = loop.time() + 0.05
        wall_offset = time.time() - loop.time()
        tasks, i, n = set(), 0, len(self.requests)
        while i < n:
            now = loop.time()
            while i < n and start + i / self.rate <= now:
                due = start + i / self.rate
                self.scheduled_wall[i] = wall_offset + due
                task = loop.create_task(self.one(i, due))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                i += 1
            if i < n:
                await asyncio.sleep(max(0.0, start + i / self.rate - loop.time()))
        span = loop.time() - start
        if tasks:
            await asyncio.gather(*tasks)
        self.pool.close()
        return span

    def report(self, span: float, *, records: bool) -> dict[str, Any]:
        """Figures over the measured requests (after the warm-up)."""
        measured = range(self.warmup_n, len(self.requests))
        ok = [i for i in measured if 200 <= self.status[i] < 300]
        latencies = [self.latency[i] for i in ok if self.latency[i] is not None]
        out: dict[str, Any] = {
            "rate": self.rate, "sent": len(measured), "ok": len(ok), "errors": len(measured) - len(ok),
            "warmup_ok": sum(1 for i in range(self.warmup_n) if 200 <= self.status[i] < 300),
            "status": dict(Counter(str(self.status[i]) for i in measured)),
            **summary_ms(latencies),  # type: ignore[arg-type]
            "client_lag_p99_ms": round((percentile([self.lag[i] for i in measured], 99) or 0) * 1000, 1),
            "connections_opened": self.pool.opened, "send_span_s": round(span, 2),
        }
        if records:
            out["records"] = [[round(self.scheduled_wall[i], 6), self.status[i], self.extracted[i]] for i in measured]
        return out


def build_requests(url: str, kind: str, n: int, offset: int, org_file: Path) -> list[bytes]:
    """Pre-encoded requests of one kind: hello (GET) or intake bodies (POST) in the organisation's compounds."""
    parts = urlsplit(url)
    host = f"{parts.hostname}:{parts.port}"
    if kind == "get":
        return [encode_request("GET", host, parts.path or "/")] * n
    make = mixed_bodies if kind == "mixed" else whistle_bodies
    bodies = make(n, offset=offset, org_file=org_file)
    return [encode_request("POST", host, parts.path, body) for body in bodies]


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    """Build the requests, run, report."""
    warmup_n = int(args.rate * args.warmup)
    n = warmup_n + int(args.rate * args.duration)
    requests = build_requests(args.url, args.kind, n, args.offset, args.org)
    run = Run(args.url, requests, rate=args.rate, warmup_n=warmup_n, timeout_s=args.timeout,
              connections=args.connections, extract=args.extract)
    span = await run.run()
    return run.report(span, records=args.records)


def main() -> None:
    """CLI entry point; writes the figures as JSON to --out (or stdout)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--kind", choices=("get", "mixed", "whistle"), default="get")
    parser.add_argument("--rate", type=float, required=True, help="requests per second")
    parser.add_argument("--duration", type=float, required=True, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=0.0, help="seconds sent first and not measured")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=512)
    parser.add_argument("--offset", type=int, default=0, help="first body number (keeps buildings unique)")
    parser.add_argument("--org", type=Path, default=ORG_FILE, help="organisation file to take compounds from")
    parser.add_argument("--extract", help="JSON field of 2xx answers to keep per request")
    parser.add_argument("--records", action="store_true", help="keep [scheduled wall time, status, field]")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = uvloop.run(main_async(args))
    text = json.dumps(result, ensure_ascii=False)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
