"""Hot-issue detection over one sliding window: the library entry point."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from reports.hotspots.analyze import Doc, analyze, aware
from reports.hotspots.bursts import term_candidates
from reports.hotspots.clusters import cluster_candidates
from reports.hotspots.gazetteer import complete_places
from reports.hotspots.model import Hotspot, HotspotConfig, Message
from reports.hotspots.ranking import select, to_hotspots
from reports.hotspots.window import build_window

# progress(stage, done, total): called now and then during long runs, e.g. to report on stderr.
Progress = Callable[[str, int, int], None]
PROGRESS_EVERY = 1000


def detect_hotspots(
    messages: Iterable[Message],
    *,
    now: datetime | None,
    config: HotspotConfig,
    history_start: datetime | None = None,
    progress: Progress | None = None,
) -> list[Hotspot]:
    """Hot issues in the window of `config.window_days` ending at `now` (default: the latest message).

    `history_start` is when the record begins (default: the earliest message): a baseline that
    reaches before it is shortened, so that a young platform does not see everything as new.
    """
    unique = {m.id: m for m in messages}
    if not unique:
        return []
    times = {i: aware(m.time) for i, m in unique.items()}
    end = aware(now) if now is not None else max(times.values())
    history_start = aware(history_start) if history_start is not None else min(times.values())
    in_reach = [m for i, m in unique.items() if _in_reach(times[i], end, config)]
    docs = analyze_messages(in_reach, config=config, progress=progress)
    return detect_in_docs(docs, end=end, history_start=history_start, config=config)


def _in_reach(moment: datetime, end: datetime, config: HotspotConfig) -> bool:
    days = (end - moment).total_seconds() / 86400
    return 0 <= days < config.window_days + config.baseline_days


def analyze_messages(
    messages: list[Message], *, config: HotspotConfig, progress: Progress | None = None
) -> list[Doc]:
    """Segment and place every message once, sorted by time (reuse the docs across windows)."""
    docs = []
    for done, message in enumerate(messages, start=1):
        docs.append(analyze(message, max_chars=config.max_chars, root=config.root_place))
        if progress and (done % PROGRESS_EVERY == 0 or done == len(messages)):
            progress("analyse", done, len(messages))
    return sorted(complete_places(docs), key=lambda d: (d.time, d.id))


def detect_in_docs(docs: list[Doc], *, end: datetime, history_start: datetime, config: HotspotConfig) -> list[Hotspot]:
    """Hot issues among already analysed docs, for the window ending at `end`."""
    window = build_window(docs, end=end, window_days=config.window_days,
                          baseline_days=config.baseline_days, history_start=history_start,
                          similarity_floor=config.cluster_similarity)
    if len(window.current) < config.min_count:
        return []
    candidates = term_candidates(window, config) + cluster_candidates(window, config)
    chosen = select(candidates, max_overlap=config.max_overlap, cover_fraction=config.cover_fraction)
    times = {d.id: d.time for d in window.current}
    return to_hotspots(chosen, times=times, window=(window.start.astimezone(end.tzinfo), end))
