"""Driving load from a separate process, and the ladder of arrival rates that finds a sustainable one."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
P99_LIMIT_MS = 100.0


def run_load(url: str, *, kind: str, rate: float, duration: float, warmup: float = 0.0, offset: int = 0,
             extract: str | None = None, records: bool = False, timeout: float = 10.0,
             org: Path | None = None) -> dict[str, Any]:
    """Run `python -m bench.loadgen` once and return its figures."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "load.json"
        args = [sys.executable, "-m", "bench.loadgen", "--url", url, "--kind", kind, "--rate", str(rate),
                "--duration", str(duration), "--warmup", str(warmup), "--offset", str(offset),
                "--timeout", str(timeout), "--out", str(out)]
        if extract:
            args += ["--extract", extract]
        if records:
            args.append("--records")
        if org:
            args += ["--org", str(org)]
        subprocess.run(args, cwd=REPO, check=True, timeout=duration + warmup + timeout + 120)
        return json.loads(out.read_text(encoding="utf-8"))


def passes(step: dict[str, Any]) -> bool:
    """No errors and p99 under the limit."""
    return step["errors"] == 0 and step["p99_ms"] is not None and step["p99_ms"] < P99_LIMIT_MS


def ladder(url: str, *, kind: str, rates: list[int], duration: float, warmup: float,
           after_step: Callable[[dict[str, Any]], None] = lambda step: None,
           deadline: float | None = None, extract: str | None = None) -> tuple[int | None, list[dict[str, Any]]]:
    """Climb the rates until one fails, then try once between the last pass and the first failure.

    Returns the highest passing rate and every step. Each step sends new bodies (`offset`), so nothing is
    a replay of an earlier request. With `extract`, each step keeps its records for `after_step`.
    """
    steps: list[dict[str, Any]] = []
    best: int | None = None
    offset = 0

    def step(rate: int) -> bool:
        nonlocal offset, best
        result = run_load(url, kind=kind, rate=rate, duration=duration, warmup=warmup, offset=offset,
                          extract=extract, records=extract is not None)
        offset += int(rate * (duration + warmup)) + 1
        result["passed"] = passes(result)
        after_step(result)
        steps.append(result)
        print(f"  {rate:>5} rps: p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, errors {result['errors']}"
              f" → {'pass' if result['passed'] else 'fail'}", flush=True)
        if result["passed"]:
            best = max(best or 0, rate)
        time.sleep(1.0)
        return bool(result["passed"])

    failed_at = None
    for rate in rates:
        if deadline is not None and time.monotonic() > deadline:
            break
        if not step(rate):
            failed_at = rate
            break
    if failed_at is not None and best is not None and failed_at - best > 50:
        if deadline is None or time.monotonic() < deadline:
            step(int((best + failed_at) / 2 // 10 * 10))
    return best, steps


def wait_http(url: str, timeout: float = 30.0) -> None:
    """Poll a URL until it answers 200."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")
