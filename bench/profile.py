"""Profile a service under load with py-spy: `python -m bench.profile intake --rate 200 --seconds 15`.

Starts the service (intake alone, or the whole platform for router/notifier/reports), drives whistle
requests at the rate from a separate process, samples the named service with `py-spy record` and prints
where its time goes: the functions with the most samples on the stack (inclusive) and on top (self).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import threading
from collections import Counter
from pathlib import Path

from bench.drive import run_load
from bench.platform import SERVICES, platform


def collapse(raw: Path) -> tuple[Counter[str], Counter[str], int]:
    """Inclusive and self sample counts per frame from py-spy's collapsed stacks."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        frames = [f for f in stack.split(";") if f]
        total += n
        for frame in set(frames):
            inclusive[frame] += n
        if frames:
            own[frames[-1]] += n
    return inclusive, own, total


def show(raw: Path, top: int) -> None:
    """Print the top frames."""
    inclusive, own, total = collapse(raw)
    print(f"\n{total} samples")
    for title, counts in (("inclusive", inclusive), ("self", own)):
        print(f"\n-- {title} --")
        for frame, n in counts.most_common(top):
            print(f"{100 * n / max(total, 1):5.1f}%  {frame[:160]}")


def main() -> None:
    """CLI entry point."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("service", choices=SERVICES)
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--idle", action="store_true", help="py-spy --idle (count waiting too)")
    parser.add_argument("--gil", action="store_true", help="py-spy --gil (only samples holding the GIL: Python CPU)")
    parser.add_argument("--out", type=Path, help="keep the collapsed stacks here")
    parser.add_argument("--whole", action="store_true", help="intake inside the whole platform (its consumers too)")
    args = parser.parse_args()
    if not shutil.which("py-spy"):
        raise SystemExit("py-spy is not installed: .venv/bin/pip install py-spy")
    services = ("intake",) if args.service == "intake" and not args.whole else SERVICES
    with tempfile.TemporaryDirectory() as tmp, platform("profile", Path(tmp) / "data", services) as running:
        url = f"{running.url('intake')}/v1/requests"
        run_load(url, kind="whistle", rate=50, duration=2, offset=50_000_000)
        raw = args.out or Path(tmp) / "stacks.txt"
        load = threading.Thread(target=run_load, args=(url,), kwargs={
            "kind": "whistle", "rate": args.rate, "duration": args.seconds + 2})
        load.start()
        cmd = ["py-spy", "record", "--pid", str(running.procs[args.service].pid), "--duration",
               str(int(args.seconds)), "--format", "raw", "--output", str(raw), "--nonblocking"]
        cmd += ["--idle"] if args.idle else []
        cmd += ["--gil"] if args.gil else []
        subprocess.run(cmd, check=True, capture_output=True)
        load.join()
        show(raw, args.top)


if __name__ == "__main__":
    main()
