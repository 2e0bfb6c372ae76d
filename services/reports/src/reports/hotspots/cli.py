"""`reports-hotspots`: read requests as JSON lines, write the top hot issues as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from reports.hotspots.analyze import SHANGHAI
from reports.hotspots.detect import detect_hotspots
from reports.hotspots.model import Hotspot, HotspotConfig, Message
from reports.hotspots.scan import scan_hotspots

EXIT_BAD_INPUT = 2


class BadLine(ValueError):
    """A JSON line that is not a request."""


def parse_time(value: Any) -> datetime:
    """'2019-04-25 09:32:09' (Asia/Shanghai civil time) or ISO 8601, with or without an offset."""
    if not isinstance(value, str):
        raise BadLine(f"time must be a string, got {value!r}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadLine(f"time {value!r} is not 'YYYY-MM-DD HH:MM:SS' or ISO 8601") from None
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


def parse_line(line: str) -> Message:
    """One JSON line {"id", "title", "body", "time"[, "place"]} as a Message."""
    try:
        record = json.loads(line.strip())
    except json.JSONDecodeError as error:
        raise BadLine(f"not JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(record, dict):
        raise BadLine("not a JSON object")
    missing = [key for key in ("id", "title", "time") if record.get(key) in (None, "")]
    if missing:
        raise BadLine(f"missing {', '.join(missing)}")
    texts = {key: record.get(key) or "" for key in ("title", "body")}
    if not all(isinstance(v, str) for v in texts.values()):
        raise BadLine("title and body must be strings")
    place = record.get("place")
    return Message(str(record["id"]), texts["title"], texts["body"], parse_time(record["time"]),
                   place if isinstance(place, str) and place else None)


def read_messages(stream: IO[str], *, strict: bool, name: str) -> Iterator[Message]:
    """Messages of a JSON-lines stream; a bad line is skipped with a warning, or fatal if strict."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            yield parse_line(line)
        except BadLine as error:
            if strict:
                raise BadLine(f"{name}:{number}: {error}") from None
            print(f"reports-hotspots: warning: {name}:{number}: {error}; line skipped", file=sys.stderr)


def to_json(hotspot: Hotspot) -> str:
    """A hot issue as one JSON line, Chinese kept readable."""
    record = {
        "rank": hotspot.rank, "place": hotspot.place, "terms": hotspot.terms,
        "request_ids": hotspot.request_ids, "score": hotspot.score,
        "window_start": hotspot.window_start.astimezone(SHANGHAI).isoformat(),
        "window_end": hotspot.window_end.astimezone(SHANGHAI).isoformat(),
        "kind": hotspot.kind, "place_path": list(hotspot.place_path), "term_counts": hotspot.term_counts,
        "observed": hotspot.observed, "expected": hotspot.expected,
    }
    return json.dumps(record, ensure_ascii=False)


def _parser() -> argparse.ArgumentParser:
    defaults = HotspotConfig()
    p = argparse.ArgumentParser(prog="reports-hotspots", description=__doc__)
    p.add_argument("--input", required=True, help="JSON-lines file, or - for stdin")
    p.add_argument("--top", type=int, default=10, help="how many hot issues to write (default 10)")
    p.add_argument("--now", type=parse_time, help="end of the window (default: the latest message)")
    p.add_argument("--scan", action="store_true", help="slide the window over the whole history")
    p.add_argument("--step-days", type=float, help="with --scan: days between window ends (default half a window)")
    p.add_argument("--window-days", type=float, default=defaults.window_days)
    p.add_argument("--baseline-days", type=float, default=defaults.baseline_days)
    p.add_argument("--min-count", type=int, default=defaults.min_count, help="minimum distinct reports")
    p.add_argument("--min-score", type=float, default=defaults.min_score, help="minimum -log10 p-value")
    p.add_argument("--min-ratio", type=float, default=defaults.min_ratio, help="minimum observed/expected")
    p.add_argument("--similarity", type=float, default=defaults.cluster_similarity, help="cosine for grouping")
    p.add_argument("--root-place", default=defaults.root_place, help='name of the whole platform ("" = off)')
    p.add_argument("--strict", action="store_true", help="fail on the first malformed line instead of skipping it")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


def _config(args: argparse.Namespace) -> HotspotConfig:
    return HotspotConfig(
        window_days=args.window_days, baseline_days=args.baseline_days, min_count=args.min_count,
        min_score=args.min_score, min_ratio=args.min_ratio, cluster_similarity=args.similarity,
        root_place=args.root_place,
    )


def _progress(stage: str, done: int, total: int) -> None:
    print(f"reports-hotspots: {stage} {done}/{total}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input or options)."""
    args = _parser().parse_args(argv)
    try:
        config = _config(args)
        if args.input == "-":
            messages = list(read_messages(sys.stdin, strict=args.strict, name="<stdin>"))
        else:
            with open(args.input, encoding="utf-8") as stream:
                messages = list(read_messages(stream, strict=args.strict, name=args.input))
    except (OSError, ValueError) as error:
        print(f"reports-hotspots: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    progress = None if args.quiet or len(messages) < 2000 else _progress
    if args.scan:
        hotspots = scan_hotspots(messages, config=config, step_days=args.step_days, progress=progress)
    else:
        hotspots = detect_hotspots(messages, now=args.now, config=config, progress=progress)
    for hotspot in hotspots[: max(args.top, 0)]:
        print(to_json(hotspot))
    return 0
