"""Hot issues over a whole history: the window slides from the first message to the last."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timedelta

from reports.hotspots.detect import Progress, analyze_messages, detect_in_docs
from reports.hotspots.model import Hotspot, HotspotConfig, Message
from reports.hotspots.ranking import overlap


def scan_hotspots(
    messages: Iterable[Message],
    *,
    config: HotspotConfig,
    step_days: float | None = None,
    progress: Progress | None = None,
) -> list[Hotspot]:
    """Hot issues of every window (ends `step_days` apart, default half a window), best of overlaps."""
    docs = analyze_messages(list({m.id: m for m in messages}.values()), config=config, progress=progress)
    if not docs:
        return []
    step = timedelta(days=step_days if step_days is not None else config.window_days / 2)
    first = docs[0].time
    ends = window_ends(first, docs[-1].time, step)
    found: list[Hotspot] = []
    for done, end in enumerate(ends, start=1):
        found.extend(detect_in_docs(docs, end=end, history_start=first, config=config))
        if progress and (done % 50 == 0 or done == len(ends)):
            progress("windows", done, len(ends))
    return _best_distinct(found, config.max_overlap)


def _best_distinct(found: list[Hotspot], max_overlap: float) -> list[Hotspot]:
    kept: list[tuple[Hotspot, frozenset[str]]] = []
    for hotspot in sorted(found, key=lambda h: (-h.score, h.window_end, h.place)):
        ids = frozenset(hotspot.request_ids)
        if all(overlap(ids, other) < max_overlap for _, other in kept):
            kept.append((hotspot, ids))
    return [replace(h, rank=rank) for rank, (h, _) in enumerate(kept, start=1)]


def window_ends(first: datetime, last: datetime, step: timedelta) -> list[datetime]:
    """Window ends from `last` back to just after `first`, oldest first."""
    ends = []
    end = last
    while end > first:
        ends.append(end)
        end -= step
    return list(reversed(ends))
