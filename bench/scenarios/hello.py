"""hello_rps: the reference limit — FastAPI returning small JSON, one uvicorn worker, measured with wrk."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from typing import Any

from bench.drive import REPO, run_load, wait_http
from bench.platform import free_port
from bench.procfs import Watch

WRK_SECONDS = 10


def _wrk(url: str) -> dict[str, Any]:
    out = subprocess.run(["wrk", "-t1", "-c64", f"-d{WRK_SECONDS}s", "--latency", url],
                         capture_output=True, text=True, check=True, timeout=WRK_SECONDS + 30).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": round(float(rps.group(1))) if rps else None, "non_2xx": int(errors.group(1)) if errors else 0,
            "tool": "wrk -t1 -c64"}


def run(ctx: Any) -> dict[str, Any]:
    """Serve the hello app, measure its throughput (wrk; the open-loop generator when wrk is missing)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/hello"
    proc = subprocess.Popen([sys.executable, "-m", "bench.hello_app", str(port)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(url)
        run_load(url, kind="get", rate=500, duration=1)  # warm the process up
        with Watch({"hello": proc.pid}) as watch:
            if shutil.which("wrk"):
                found = _wrk(url)
            else:
                result = run_load(url, kind="get", rate=8000, duration=WRK_SECONDS)
                found = {"rps": round(result["ok"] / WRK_SECONDS), "tool": "bench.loadgen at 8000/s"}
        found["server_cpu_s"] = round(watch.cpu_used["hello"], 2)
        found["rss_mb"] = round(watch.peak_mb["hello"], 1)
        return {"hello_rps": found["rps"], "hello": found}
    finally:
        proc.terminate()
        proc.wait(timeout=10)
