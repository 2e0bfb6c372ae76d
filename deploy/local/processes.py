"""Start the four services as real processes on 127.0.0.1, prefix their logs, wait until ready, stop them."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "router", "notifier", "reports")
DEFAULT_PORTS = {"intake": 8000, "router": 8001, "notifier": 8002, "reports": 8003}
COLOURS = {"intake": "\033[36m", "router": "\033[35m", "notifier": "\033[33m", "reports": "\033[32m"}


def _short(line: str) -> str:
    """Render a JSON log line as `level message key=value` for people; other lines as they are."""
    try:
        record = json.loads(line)
    except ValueError:
        return line
    if not isinstance(record, dict):
        return line
    skip = {"time", "service", "logger", "level", "message", "taskName", "color_message"}
    extras = " ".join(f"{k}={v}" for k, v in record.items() if k not in skip)
    return f"{record.get('level', '')} {record.get('message', '')} {extras}".rstrip()


@dataclass
class Platform:
    """A running set of service processes and where to reach them."""

    data_dir: Path
    env: Mapping[str, str] = field(default_factory=dict)
    ports: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_PORTS))
    echo: bool = True
    procs: dict[str, subprocess.Popen[str]] = field(default_factory=dict)
    log_lines: dict[str, list[str]] = field(default_factory=dict)

    def url(self, service: str) -> str:
        """Base URL of a service."""
        return f"http://127.0.0.1:{self.ports[service]}"

    def start(self, services: tuple[str, ...] = SERVICES) -> None:
        """Start each service as `python -m <name>` with its port and the shared settings."""
        for name in services:
            self.start_one(name)

    def start_one(self, name: str) -> None:
        """(Re)start one service process."""
        env = {**os.environ, **self.env, "WHISTLE_DATA_DIR": str(self.data_dir), "PYTHONUNBUFFERED": "1",
               f"{name.upper()}_PORT": str(self.ports[name]), f"{name.upper()}_HOST": "127.0.0.1"}
        proc = subprocess.Popen(
            [sys.executable, "-m", name], cwd=REPO, env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        self.log_lines.setdefault(name, [])
        threading.Thread(target=self._pump, args=(name, proc), daemon=True).start()

    def _pump(self, name: str, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip("\n")
            self.log_lines[name].append(line)
            if self.echo:
                print(f"{COLOURS[name]}[{name:8}]\033[0m {_short(line)}", flush=True)

    def wait_ready(self, timeout: float = 60.0, services: tuple[str, ...] = SERVICES) -> None:
        """Poll each /readyz until 200; raise with the service's last log lines when one does not come up."""
        deadline = time.monotonic() + timeout
        pending = set(services)
        while pending:
            for name in sorted(pending):
                proc = self.procs[name]
                if proc.poll() is not None:
                    tail = "\n".join(self.log_lines.get(name, [])[-30:])
                    raise RuntimeError(f"{name} exited with {proc.returncode}:\n{tail}")
                try:
                    if httpx.get(f"{self.url(name)}/readyz", timeout=1.0).status_code == 200:
                        pending.discard(name)
                except httpx.HTTPError:
                    pass
            if pending and time.monotonic() > deadline:
                tails = {n: self.log_lines.get(n, [])[-15:] for n in pending}
                raise RuntimeError(f"not ready after {timeout:.0f}s: {sorted(pending)}\n{tails}")
            if pending:
                time.sleep(0.2)

    def stop_one(self, name: str, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int | None:
        """Send a signal to one service and wait for it to exit (SIGKILL after the timeout)."""
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return proc.returncode if proc else None
        proc.send_signal(sig)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait(timeout=5)

    def stop(self) -> None:
        """Stop every service gracefully (SIGTERM, then SIGKILL if one hangs)."""
        for name in list(self.procs):
            if self.procs[name].poll() is None:
                self.procs[name].send_signal(signal.SIGTERM)
        for name in list(self.procs):
            self.stop_one(name)
