"""What the kernel knows about a process: CPU seconds, resident memory, who listens on a port."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds the process has used so far (0 when it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw.rsplit(")", 1)[1].split()  # the command name may contain spaces
    return (int(fields[11]) + int(fields[12])) / TICKS


def status_kb(pid: int, key: str) -> int:
    """One `kB` line of /proc/<pid>/status (VmRSS, VmHWM …), 0 when unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_mb(pid: int) -> float:
    """Resident memory now, in MiB."""
    return status_kb(pid, "VmRSS") / 1024


def _listening_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(parts[9])
    return inodes


def pid_listening_on(port: int) -> int | None:
    """The process that holds the listening socket of a TCP port (needs permission to read its fds)."""
    wanted = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not wanted:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            for fd in (entry / "fd").iterdir():
                if os.readlink(fd) in wanted:
                    return int(entry.name)
        except OSError:
            continue
    return None


class Watch:
    """Samples the resident memory of named processes in a background thread and keeps each peak."""

    def __init__(self, pids: Mapping[str, int], every_s: float = 0.25) -> None:
        self.pids = dict(pids)
        self.every_s = every_s
        self.peak_mb: dict[str, float] = dict.fromkeys(self.pids, 0.0)
        self.cpu_start: dict[str, float] = {}
        self.cpu_used: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watch:
        self.cpu_start = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()
        self.cpu_used = {name: cpu_seconds(pid) - self.cpu_start[name] for name, pid in self.pids.items()}

    def _sample(self) -> None:
        for name, pid in self.pids.items():
            self.peak_mb[name] = max(self.peak_mb[name], rss_mb(pid))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every_s)


def loadavg() -> list[float]:
    """The 1, 5 and 15 minute load averages (other work on the machine skews every figure)."""
    return [round(x, 2) for x in os.getloadavg()]


def busy_cores(seconds: float = 1.0) -> float:
    """How many cores were busy (from /proc/stat) over a short window before a scenario starts."""
    def total() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        idle = values[3] + values[4]
        return sum(values), idle

    all0, idle0 = total()
    time.sleep(seconds)
    all1, idle1 = total()
    cores = os.cpu_count() or 1
    return round(cores * (1 - (idle1 - idle0) / max(all1 - all0, 1)), 2)
