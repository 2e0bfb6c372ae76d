"""Terms whose count in one place's window clearly exceeds what that place's baseline predicts."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from reports.hotspots.analyze import Doc
from reports.hotspots.model import HotspotConfig
from reports.hotspots.ranking import Candidate, overlap
from reports.hotspots.stats import poisson_surprise
from reports.hotspots.window import Window

# Terms this surprising (p < 0.01) may describe a hot issue whose seed term passed min_score.
RELATED_SCORE = 2.0
RELATED_OVERLAP = 0.6
MEMBER_JACCARD = 0.5


@dataclass(frozen=True, slots=True)
class TermStat:
    """One term in one place: window count, expected count, surprise and the docs containing it."""

    term: str
    observed: int
    expected: float
    score: float
    ids: frozenset[str]


def _counts(docs: list[Doc]) -> tuple[dict[str, Counter[str]], Counter[str]]:
    """Per place: how many docs contain each term, and how many docs there are."""
    per_place: dict[str, Counter[str]] = defaultdict(Counter)
    sizes: Counter[str] = Counter()
    for doc in docs:
        for name, _ in doc.places:
            per_place[name].update(doc.terms)
            sizes[name] += 1
    return per_place, sizes


def _levels(window: Window) -> dict[str, int]:
    levels: dict[str, int] = {}
    for doc in window.current:
        for name, level in doc.places:
            levels[name] = max(level, levels.get(name, 0))
    return levels


def _collect(docs: list[Doc], wanted: dict[str, dict[str, float]]) -> dict[tuple[str, str], set[str]]:
    """Ids of the docs holding each wanted place-term pair."""
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for doc in docs:
        for name, _ in doc.places:
            terms = wanted.get(name)
            if terms:
                for term in doc.terms:
                    if term in terms:
                        found[(name, term)].add(doc.id)
    return found


def _expectations(window: Window, config: HotspotConfig) -> dict[str, dict[str, float]]:
    """Expected counts of the place-term pairs that could pass, judged on doc counts (an upper bound)."""
    current, sizes = _counts(window.current)
    baseline, _ = _counts(window.baseline)
    wanted: dict[str, dict[str, float]] = defaultdict(dict)
    for name, counts in current.items():
        before = baseline.get(name, Counter())
        for term, k in counts.items():
            if k < config.min_count:
                continue
            share = (window.baseline_freq[term] + 1) / (len(window.baseline) + 2)
            expected = max((before[term] + config.pseudo_count) * window.rate_factor, sizes[name] * share)
            if k >= config.min_ratio * expected and poisson_surprise(k, expected) >= RELATED_SCORE:
                wanted[name][term] = expected
    return wanted


def term_stats(window: Window, config: HotspotConfig) -> dict[str, list[TermStat]]:
    """Per place, the terms at least RELATED_SCORE surprising, most surprising first.

    Counts are of distinct reports: near-duplicates of one message count once.
    """
    wanted = _expectations(window, config)
    result: dict[str, list[TermStat]] = defaultdict(list)
    for (name, term), members in _collect(window.current, wanted).items():
        k, expected = window.reports(members), wanted[name][term]
        score = poisson_surprise(k, expected)
        if k >= config.min_count and k >= config.min_ratio * expected and score >= RELATED_SCORE:
            result[name].append(TermStat(term, k, expected, score, frozenset(members)))
    for stats in result.values():
        stats.sort(key=lambda s: (-s.score, -len(s.term), s.term))
    return result


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b)


def _pick_terms(stats: list[TermStat], limit: int) -> list[TermStat]:
    """The first `limit` terms, skipping one that merely repeats part of a term already listed."""
    picked: list[TermStat] = []
    for stat in stats:
        if not any(stat.term in p.term for p in picked):
            picked.append(stat)
        if len(picked) == limit:
            break
    return picked


def _group(seed: TermStat, stats: list[TermStat], limit: int) -> tuple[frozenset[str], list[TermStat]]:
    """Members and terms of the hot issue a seed term starts: terms that co-occur with it join."""
    related = [s for s in stats if s is seed or overlap(s.ids, seed.ids) >= RELATED_OVERLAP]
    members = set(seed.ids)
    for stat in related:
        if _jaccard(stat.ids, seed.ids) >= MEMBER_JACCARD:
            members |= stat.ids
    return frozenset(members), _pick_terms(related, limit)


def _path(name: str, members: frozenset[str], paths: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The most common chain of places, coarse to fine, that leads the members to this place."""
    chains = Counter(paths[i][: paths[i].index(name) + 1] for i in members if name in paths[i])
    return min(chains.items(), key=lambda item: (-item[1], item[0]))[0] if chains else ()


def term_candidates(window: Window, config: HotspotConfig) -> list[Candidate]:
    """Hot-issue candidates, one per distinct rising topic in each place."""
    levels = _levels(window)
    paths = {d.id: tuple(name for name, level in d.places if level > 0) for d in window.current}
    found: list[Candidate] = []
    for name, stats in term_stats(window, config).items():
        groups: list[frozenset[str]] = []
        for seed in stats:
            if seed.score < config.min_score or any(overlap(seed.ids, g) >= config.max_overlap for g in groups):
                continue
            members, terms = _group(seed, stats, config.top_terms)
            groups.append(members)
            found.append(Candidate(
                kind="term", place=name, level=levels[name], path=_path(name, members, paths),
                terms=tuple(t.term for t in terms), term_counts={t.term: len(t.ids & members) for t in terms},
                members=members, score=seed.score, observed=seed.observed, expected=seed.expected,
            ))
    return found
