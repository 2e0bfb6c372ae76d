"""Value objects of hot-issue detection: the input message, the tuning knobs and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Message:
    """A resident's request as the detector sees it; `place` overrides places found in the text.

    `place` may be a single id (e.g. a compound id) or a path from coarse to fine separated by
    "/" (e.g. "A3区/望京街道/魏家坡小区"); every level of the path is tested on its own.
    `user` (who wrote it, when known) and `likes` (residents who supported it) feed the heat index
    of grouped hot issues.
    """

    id: str
    title: str
    body: str
    time: datetime
    place: str | None = None
    user: str | None = None
    likes: int = 0


@dataclass(frozen=True, slots=True)
class HotspotConfig:
    """Tuning knobs; the defaults are those documented in docs/hotspots.md.

    `root_place` names the level above every place (the whole platform); "" turns it off.
    """

    window_days: float = 7.0
    baseline_days: float = 90.0
    min_count: int = 3
    min_score: float = 6.0
    min_ratio: float = 3.0
    pseudo_count: float = 0.5
    top_terms: int = 5
    max_chars: int = 600
    cluster_similarity: float = 0.5
    cluster_min_places: int = 2
    max_overlap: float = 0.5
    cover_fraction: float = 0.7
    root_place: str = "全部"

    def __post_init__(self) -> None:
        if self.window_days <= 0 or self.baseline_days <= 0:
            raise ValueError("window_days and baseline_days must be positive")
        if self.min_count < 2:
            raise ValueError("min_count must be at least 2: one message is never a hot issue")
        if not 0 < self.cluster_similarity <= 1:
            raise ValueError("cluster_similarity must be in (0, 1]")


@dataclass(frozen=True, slots=True)
class IssueConfig:
    """Tuning knobs of grouped hot issues (reports.hotspots.issues); defaults as in docs/hotspots.md.

    Requests whose titles name the same local place group when their texts reach `place_similarity` on
    average; other requests and those groups join when they reach `similarity` on average (plus
    `place_bonus` where a body names the same local place), never across different named places.
    """

    min_size: int = 2
    similarity: float = 0.4
    place_similarity: float = 0.06
    place_bonus: float = 0.15
    duplicate_similarity: float = 0.8
    top_terms: int = 6
    max_chars: int = 600

    def __post_init__(self) -> None:
        if self.min_size < 1:
            raise ValueError("min_size must be at least 1")
        if not 0 < self.similarity <= 1 or not 0 < self.place_similarity <= 1:
            raise ValueError("similarity and place_similarity must be in (0, 1]")
        if not 3 <= self.top_terms <= 8:
            raise ValueError("top_terms must be between 3 and 8")


@dataclass(frozen=True, slots=True)
class Hotspot:
    """One hot issue: where, what, which requests, how surprising, and over which window.

    `score` is the Poisson surprise -log10 P(X >= observed | expected) of the strongest evidence;
    `kind` is "term" (a term rising in one place) or "cluster" (similar requests across places), both
    scored by surprise, or "issue" (a group of similar requests, scored by its heat index; its window
    runs from the first member to the last). `title` describes it in a few words; `count` is its
    number of requests, `writers` the distinct people (or distinct texts) behind them and `reports`
    the requests counted by person, as the heat index counts them.
    """

    rank: int
    place: str
    terms: list[str]
    request_ids: list[str]
    score: float
    window_start: datetime
    window_end: datetime
    kind: str = "term"
    place_path: tuple[str, ...] = ()
    term_counts: dict[str, int] = field(default_factory=dict)
    observed: int = 0
    expected: float = 0.0
    title: str = ""
    count: int = 0
    writers: int = 0
    reports: float = 0.0
