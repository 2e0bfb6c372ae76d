"""`reports-hotspots`: read requests as JSON lines, write the top hot issues as JSON lines.

Two modes: `cluster` (default) groups requests about one problem at one place and ranks the groups by
heat; `burst` reports terms whose count in a recent window clearly exceeds each place's own baseline.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from reports.hotspots.analyze import SHANGHAI
from reports.hotspots.detect import detect_hotspots
from reports.hotspots.issues import find_issues
from reports.hotspots.model import Hotspot, HotspotConfig, IssueConfig
from reports.hotspots.requests_io import BadLine, parse_line, parse_time, read_messages
from reports.hotspots.scan import scan_hotspots

__all__ = ["BadLine", "main", "parse_line", "parse_time", "to_json"]

EXIT_BAD_INPUT = 2
BURST_ONLY = ("now", "scan", "step_days", "window_days", "baseline_days", "min_score", "min_ratio", "root_place")
CLUSTER_ONLY = ("min_size", "place_similarity")


def _local(moment: Any) -> str:
    return moment.astimezone(SHANGHAI).isoformat()


def to_json(hotspot: Hotspot) -> str:
    """A hot issue as one JSON line, Chinese kept readable; the first five keys are the stable contract."""
    record: dict[str, Any] = {"rank": hotspot.rank, "place": hotspot.place, "terms": hotspot.terms,
                              "request_ids": hotspot.request_ids, "score": hotspot.score}
    if hotspot.kind == "issue":
        record |= {"title": hotspot.title, "count": hotspot.count, "first_time": _local(hotspot.window_start),
                   "last_time": _local(hotspot.window_end), "writers": hotspot.writers, "reports": hotspot.reports,
                   "place_path": list(hotspot.place_path)}
    else:
        record |= {"window_start": _local(hotspot.window_start), "window_end": _local(hotspot.window_end),
                   "kind": hotspot.kind, "place_path": list(hotspot.place_path), "term_counts": hotspot.term_counts,
                   "observed": hotspot.observed, "expected": hotspot.expected}
    return json.dumps(record, ensure_ascii=False)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="reports-hotspots", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--input", required=True, help="JSON-lines file, or - for stdin")
    p.add_argument("--top", type=int, default=10, help="how many hot issues to write (default 10)")
    p.add_argument("--mode", choices=("cluster", "burst"), default="cluster", help="default: cluster")
    p.add_argument("--similarity", type=float, help="cosine that joins requests (cluster 0.4, burst 0.5)")
    p.add_argument("--min-count", type=int, help="smallest group (cluster: 2) or fewest distinct reports (burst: 3)")
    cluster = p.add_argument_group("cluster mode")
    cluster.add_argument("--place-similarity", type=float, help="cosine that joins requests at one place (0.06)")
    cluster.add_argument("--min-size", type=int, help="same as --min-count in cluster mode")
    burst = p.add_argument_group("burst mode")
    burst.add_argument("--now", type=parse_time, help="end of the window (default: the latest message)")
    burst.add_argument("--scan", action="store_true", default=None, help="slide the window over the whole history")
    burst.add_argument("--step-days", type=float, help="with --scan: days between window ends (default half a window)")
    burst.add_argument("--window-days", type=float)
    burst.add_argument("--baseline-days", type=float)
    burst.add_argument("--min-score", type=float, help="minimum -log10 p-value")
    burst.add_argument("--min-ratio", type=float, help="minimum observed/expected")
    burst.add_argument("--root-place", help='name of the whole platform ("" = off)')
    p.add_argument("--strict", action="store_true", help="fail on the first malformed line instead of skipping it")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


def _given(args: argparse.Namespace, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(args, name) for name in names if getattr(args, name) is not None}


def _check_mode(args: argparse.Namespace) -> None:
    wrong = _given(args, CLUSTER_ONLY if args.mode == "burst" else BURST_ONLY)
    if wrong:
        options = ", ".join("--" + name.replace("_", "-") for name in wrong)
        raise ValueError(f"{options} cannot be used with --mode {args.mode}")


def _issue_config(args: argparse.Namespace) -> IssueConfig:
    knobs = _given(args, ("similarity", "place_similarity", "min_size"))
    if args.min_count is not None:
        knobs.setdefault("min_size", args.min_count)
    return IssueConfig(**knobs)


def _burst_config(args: argparse.Namespace) -> HotspotConfig:
    knobs = _given(args, ("window_days", "baseline_days", "min_count", "min_score", "min_ratio", "root_place"))
    if args.similarity is not None:
        knobs["cluster_similarity"] = args.similarity
    return HotspotConfig(**knobs)


def _progress(stage: str, done: int, total: int) -> None:
    print(f"reports-hotspots: {stage} {done}/{total}", file=sys.stderr)


def _hot(args: argparse.Namespace, messages: list[Any], config: IssueConfig | HotspotConfig) -> list[Hotspot]:
    progress = None if args.quiet or len(messages) < 2000 else _progress
    if isinstance(config, IssueConfig):
        return find_issues(messages, config=config, progress=progress)
    if args.scan:
        return scan_hotspots(messages, config=config, step_days=args.step_days, progress=progress)
    return detect_hotspots(messages, now=args.now, config=config, progress=progress)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input or options)."""
    args = _parser().parse_args(argv)
    try:
        _check_mode(args)
        config = _issue_config(args) if args.mode == "cluster" else _burst_config(args)
        if args.input == "-":
            messages = list(read_messages(sys.stdin, strict=args.strict, name="<stdin>"))
        else:
            with open(args.input, encoding="utf-8-sig") as stream:
                messages = list(read_messages(stream, strict=args.strict, name=args.input))
    except (OSError, ValueError) as error:
        print(f"reports-hotspots: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    for hotspot in _hot(args, messages, config)[: max(args.top, 0)]:
        print(to_json(hotspot))
    return 0
