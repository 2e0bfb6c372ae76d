"""The printed table of a run: each key, its value, and the goal it is held against."""

from __future__ import annotations

from typing import Any


def _goal_rows(r: dict[str, Any]) -> list[tuple[str, Any, str]]:
    hello, intake = r.get("hello_rps"), r.get("intake_rps")
    rss = r.get("rss_mb", {})
    e2e_rss = rss.get("e2e", {}) if isinstance(rss, dict) else {}
    rows: list[tuple[str, Any, str]] = [
        ("hello_rps", hello, "reference"),
        ("intake_rps", intake, _verdict(intake is not None and hello is not None and intake * 3 >= hello,
                                        f">= hello_rps/3 = {round(hello / 3) if hello else '?'}")),
        ("intake_p50_ms @500/s", r.get("intake_p50_ms"), ""),
        ("intake_p99_ms @500/s", r.get("intake_p99_ms"), ""),
        ("e2e_p50_ms", r.get("e2e_p50_ms"), f"@{r.get('e2e', {}).get('rate', '?')}/s"),
        ("e2e_p99_ms", r.get("e2e_p99_ms"), _verdict(_lt(r.get("e2e_p99_ms"), 100), "< 100")),
        ("e2e_lost", r.get("e2e_lost"), _verdict(r.get("e2e_lost") == 0, "= 0")),
    ]
    low = r.get("e2e", {}).get("at_cpu_rate", {})
    if low:
        rows.append((f"e2e_p50_ms @{low.get('rate')}/s", low.get("p50_ms"), ""))
        p99 = low.get("p99_ms")
        rows.append((f"e2e_p99_ms @{low.get('rate')}/s", p99, _verdict(_lt(p99, 100), "< 100")))
    cpu = r.get("cpu_s_per_1k") or {}
    rows.append((f"cpu_s_per_1k services @{cpu.get('at_rate', '?')}/s", cpu.get("services"), "as low as possible"))
    rows.append(("cpu_s_per_1k broker", cpu.get("broker"), ""))
    for name, mb in sorted(e2e_rss.items()):
        rows.append((f"rss_mb e2e {name}", mb, _verdict(_lt(mb, 150), "< 150")))
    return rows


def _timer_rows(r: dict[str, Any]) -> list[tuple[str, Any, str]]:
    rows = []
    for case in r.get("timers", {}).get("runs", []):
        label = f"{case['open_timers']:,} open, {case['schedulers']} sched"
        rows.append((f"timers_fired_per_s ({label})", case.get("timers_fired_per_s"), ""))
        rows.append((f"timer_lag_p99_ms ({label})", case.get("timer_lag_p99_ms"), "flat 100k→1M"))
        rows.append((f"rss_mb notifier ({label})", case.get("rss_mb"), _verdict(_lt(case.get("rss_mb"), 150), "< 150")))
    return rows


def _report_rows(r: dict[str, Any]) -> list[tuple[str, Any, str]]:
    rows = []
    for case in r.get("reports", {}).get("runs", []):
        label = f"{case['cases']:,} cases"
        rows.append((f"report_summary_ms ({label})", case.get("summary_ms"), "flat 100k→1M"))
        rows.append((f"report_breakdown_ms ({label})", case.get("breakdown_ms"), "flat 100k→1M"))
    rows.append(("classify_per_s (1 core)", r.get("classify_per_s"), ""))
    return rows


def _lt(value: Any, limit: float) -> bool:
    return value is not None and value < limit


def _verdict(ok: bool, goal: str) -> str:
    return f"{goal} {'ok' if ok else 'MISSED'}"


def rows(result: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """Every row of the table."""
    return [*_goal_rows(result), *_timer_rows(result), *_report_rows(result)]


def markdown(result: dict[str, Any]) -> str:
    """The same table in Markdown (for docs/performance.md)."""
    lines = ["| key | value | goal |", "|---|---:|---|"]
    lines += [f"| {key} | {'—' if value is None else value} | {goal} |" for key, value, goal in rows(result)]
    return "\n".join(lines)


def print_table(result: dict[str, Any]) -> None:
    """Print the table with the machine line first."""
    m = result.get("machine", {})
    print(f"\nWhistle benchmark — {m.get('cores')} cores, {m.get('memory_mb')} MB, {m.get('cpu_model')}; "
          f"store {result.get('store')}; load at start {result.get('loadavg_at_start')}")
    width = max(len(key) for key, _, _ in rows(result))
    for key, value, goal in rows(result):
        print(f"  {key:<{width}}  {'—' if value is None else value!s:>10}  {goal}")
    for note in result.get("notes", []):
        print(f"  note: {note}")


def main() -> None:
    """`python -m bench.table [FILE] [--markdown]`: print a stored run again."""
    import argparse
    import json
    from pathlib import Path

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("file", nargs="?", type=Path, default=Path(__file__).parent / "results" / "latest.json")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    result = json.loads(args.file.read_text(encoding="utf-8"))
    if args.markdown:
        print(markdown(result))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
