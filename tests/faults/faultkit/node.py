"""Control of a real RabbitMQ node: a dedicated one for the fault runs, or the machine's own broker."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CTL_TIMEOUT = 90


def rabbitmq_installed() -> bool:
    """True when this machine can run a RabbitMQ node itself."""
    return shutil.which("rabbitmq-server") is not None and shutil.which("rabbitmqctl") is not None


@dataclass
class RabbitNode:
    """One RabbitMQ node we may stop, kill and start again; always restored by `ensure_running`."""

    name: str = "rabbit@localhost"
    port: int = 5672
    base_dir: Path | None = None  # set for a dedicated node: its data, logs, config and pid file
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The AMQP URL of this node."""
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    @classmethod
    def dedicated(cls, port: int, dist_port: int) -> RabbitNode:
        """A fresh node of our own, so broker faults never touch anyone else's tests on this machine."""
        base = Path(tempfile.mkdtemp(prefix="whistle-faults-rmq-"))
        (base / "enabled_plugins").write_text("[].\n")
        (base / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{port}\nloopback_users.guest = true\n")
        if os.geteuid() == 0:  # the packaged scripts run the node as the `rabbitmq` user
            subprocess.run(["chown", "-R", "rabbitmq:", str(base)], check=True)
        name = f"faults{port}@localhost"
        env = {"RABBITMQ_NODENAME": name, "RABBITMQ_DIST_PORT": str(dist_port),
               "RABBITMQ_MNESIA_BASE": str(base / "mnesia"), "RABBITMQ_LOG_BASE": str(base / "log"),
               "RABBITMQ_PID_FILE": str(base / "pid"), "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
               "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf")}
        return cls(name=name, port=port, base_dir=base, extra_env=env)

    def _env(self) -> dict[str, str]:
        return {**os.environ, "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1", **self.extra_env}

    def ctl(self, *args: str, timeout: float = CTL_TIMEOUT) -> str:
        """Run rabbitmqctl against this node and return its output (raises on failure)."""
        done = subprocess.run(["rabbitmqctl", "-n", self.name, *args], env=self._env(), capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
        return done.stdout

    def start(self) -> None:
        """Start the node detached and wait until it serves AMQP."""
        subprocess.run(["rabbitmq-server", "-detached"], env=self._env(), capture_output=True, timeout=60)
        self.await_startup()

    def await_startup(self, timeout: float = CTL_TIMEOUT) -> None:
        """Wait for the Erlang node, then for the rabbit application."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.ctl("await_startup", "--timeout", "30", timeout=40)
                return
            except (RuntimeError, subprocess.TimeoutExpired):
                if time.monotonic() > deadline:
                    raise
                time.sleep(1.0)

    def is_running(self) -> bool:
        """True when the rabbit application answers."""
        try:
            self.ctl("status", timeout=30)
            return True
        except (RuntimeError, subprocess.TimeoutExpired):
            return False

    def stop_app(self) -> None:
        """Stop the rabbit application; the Erlang node stays up (every client is disconnected)."""
        self.ctl("stop_app")

    def start_app(self) -> None:
        """Start the rabbit application again."""
        self.ctl("start_app")
        self.await_startup()

    def os_pid(self) -> int:
        """The beam process of this node."""
        return int(self.ctl("eval", "list_to_integer(os:getpid()).").strip())

    def kill(self) -> int:
        """SIGKILL the beam process: no clean shutdown of anything; returns the pid killed."""
        pid = self.os_pid()
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        return pid

    def ensure_running(self) -> None:
        """Put the node back whatever state a scenario left it in (called from `finally`)."""
        if self.is_running():
            return
        try:
            self.start_app()
        except (RuntimeError, subprocess.TimeoutExpired):
            self.start()

    def queues(self, prefix: str) -> dict[str, tuple[int, int]]:
        """(ready, unacknowledged) per queue whose name starts with `prefix.`, from rabbitmqctl (exact, ~2 s).

        The management plugin answers faster but its figures lagged by many seconds under load here.
        """
        out = self.ctl("list_queues", "-q", "--formatter", "json", "name", "messages_ready",
                       "messages_unacknowledged")
        rows = json.loads(out or "[]")
        return {r["name"]: (int(r["messages_ready"] or 0), int(r["messages_unacknowledged"] or 0))
                for r in rows if r["name"].startswith(f"{prefix}.")}

    def shutdown(self) -> None:
        """Stop a dedicated node and remove its files (the machine's own broker is left alone)."""
        if self.base_dir is None:
            return
        try:
            self.ctl("stop", timeout=60)
        except (RuntimeError, subprocess.TimeoutExpired):
            pid_file = self.base_dir / "pid"
            if pid_file.exists() and _alive(int(pid_file.read_text().strip() or 0)):
                os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)
        shutil.rmtree(self.base_dir, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
