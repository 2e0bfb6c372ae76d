"""`reports-rebuild`: recompute every fact and rollup from the stored event log (stop the service first)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from reports.adapters.org_file import load_org
from reports.bootstrap import build_repository
from reports.config import ReportsSettings
from reports.handlers import rebuild


async def _run(settings: ReportsSettings, batch: int) -> int:
    repo = build_repository(settings)
    await repo.ensure_indexes()
    try:
        started = time.perf_counter()
        count = await rebuild(repo, load_org(settings.org_file), batch=batch)
        print(f"reports-rebuild: replayed {count} events into facts and rollups "
              f"({settings.store_label()}) in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        return count
    finally:
        await repo.close()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, rebuild, report on stderr."""
    parser = argparse.ArgumentParser(prog="reports-rebuild", description=__doc__)
    parser.add_argument("--batch", type=int, default=1000, help="events read from the log per page")
    args = parser.parse_args(argv)
    asyncio.run(_run(ReportsSettings(), args.batch))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
