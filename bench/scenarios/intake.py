"""intake_rps: the highest fixed arrival rate at which intake answers p99 < 100 ms without errors.

Intake runs alone against the real broker (its outbox relay publishes every request.submitted.v1 to
the queues of the services that are not running). A 201 means the request and its event were committed
in one transaction; after the ladder the store is checked: every request answered 201 (by id) is stored,
and every stored request's event was either confirmed by the broker or is still held in the outbox.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path
from typing import Any

from bench.drive import ladder, run_load
from bench.platform import platform
from bench.procfs import Watch, cpu_seconds

RATES = [50, 100, 200, 300, 400, 500, 600, 800, 1000, 1200, 1500, 2000, 2500]
STEP_S, WARMUP_S = 8.0, 2.0


def outbox_counts(path: Path) -> dict[str, int]:
    """Stored requests and outbox rows (published and pending) in intake's SQLite file, read-only."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as db:
        requests = db.execute("SELECT COUNT(*) FROM requests").fetchone()[0]
        published = db.execute("SELECT COUNT(*) FROM outbox WHERE published_at IS NOT NULL").fetchone()[0]
        pending = db.execute("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL").fetchone()[0]
    return {"requests": requests, "published": published, "pending": pending}


def stored_among(path: Path, ids: list[str]) -> int:
    """How many of these request ids are stored."""
    found = 0
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30) as db:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found += db.execute(f"SELECT COUNT(*) FROM requests WHERE id IN ({marks})", chunk).fetchone()[0]
    return found


def wait_outbox_drained(path: Path, timeout: float = 60.0) -> dict[str, int]:
    """Wait until the relay has every event confirmed (or the timeout); the last counts."""
    end = time.monotonic() + timeout
    counts = outbox_counts(path)
    while counts["pending"] and time.monotonic() < end:
        time.sleep(0.5)
        counts = outbox_counts(path)
    return counts


def durability(path: Path, ids: list[str]) -> dict[str, Any]:
    """Every request answered 201 is stored, and every stored request's event is confirmed or still held."""
    counts = wait_outbox_drained(path)
    stored = stored_among(path, ids)
    return {**counts, "answered_201": len(ids), "answered_and_stored": stored,
            "ok": stored == len(ids) and counts["published"] + counts["pending"] == counts["requests"]}


def run(ctx: Any) -> dict[str, Any]:
    """The ladder, the 500 rps point, and the durability check."""
    data_dir = ctx.workdir / "intake"
    with platform("intake", data_dir, ("intake",)) as running:
        url = f"{running.url('intake')}/v1/requests"
        pid, broker = running.procs["intake"].pid, ctx.broker_pid
        run_load(url, kind="mixed", rate=50, duration=2, offset=10_000_000)  # warm-up, not measured
        sqlite_file = data_dir / "intake.sqlite3"
        sqlite = ctx.store == "sqlite"

        answered: list[str] = []

        def after_step(step: dict[str, Any]) -> None:
            answered.extend(code for _, status, code in step.pop("records", []) if status == 201 and code)
            if sqlite:  # the next step starts once the relay has caught up, not while it works off a backlog
                step["outbox_pending_after"] = outbox_counts(sqlite_file)["pending"]
                wait_outbox_drained(sqlite_file, timeout=30)

        cpu0 = {"intake": cpu_seconds(pid), "broker": cpu_seconds(broker) if broker else 0.0}
        with Watch({"intake": pid}) as watch:
            best, steps = ladder(url, kind="mixed", rates=RATES, duration=STEP_S, warmup=WARMUP_S,
                                 after_step=after_step, deadline=ctx.deadline(150), extract="id")
        at_500 = next((s for s in steps if s["rate"] == 500), None)
        if at_500 is None:
            at_500 = run_load(url, kind="mixed", rate=500, duration=STEP_S, warmup=WARMUP_S, offset=20_000_000,
                              extract="id", records=True)
            after_step(at_500)
            steps.append(at_500)
        accepted = sum(s["ok"] for s in steps)
        durable = durability(sqlite_file, answered) if sqlite else None
        cpu = {"intake": cpu_seconds(pid) - cpu0["intake"],
               "broker": (cpu_seconds(broker) - cpu0["broker"]) if broker else None}
    handled = durable["requests"] if durable else accepted  # also those the client stopped waiting for
    per_1k = {k: (round(v / handled * 1000, 3) if v is not None and handled else None) for k, v in cpu.items()}
    return {
        "intake_rps": best, "intake_p50_ms": at_500["p50_ms"], "intake_p99_ms": at_500["p99_ms"],
        "intake": {"steps": steps, "step_s": STEP_S, "warmup_s": WARMUP_S, "accepted_measured": accepted,
                   "durable_check": durable, "cpu_s_per_1k": per_1k, "rss_mb": round(watch.peak_mb["intake"], 1),
                   "broker_pid_found": broker is not None},
    }
