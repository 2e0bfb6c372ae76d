"""Hot issues as groups of similar requests at a place, ranked by heat: the clustering-first mode."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from reports.hotspots.analyze import Doc, analyze
from reports.hotspots.describe import doc_frequencies, is_specific, place_label, shared_place, title_of, top_terms
from reports.hotspots.detect import Progress
from reports.hotspots.features import doc_matrices
from reports.hotspots.gazetteer import complete_places, recognise_known_places
from reports.hotspots.grouping import families, group_docs
from reports.hotspots.heat import heat_index, peak, report_weights
from reports.hotspots.model import Hotspot, IssueConfig, Message

PROGRESS_EVERY = 1000


def find_issues(
    messages: Iterable[Message], *, config: IssueConfig | None = None, progress: Progress | None = None
) -> list[Hotspot]:
    """Every group of at least `config.min_size` similar requests at a place, hottest first (kind "issue").

    Pure: no clock, no I/O. Each hot issue's window runs from its first request to its last.
    """
    config = config or IssueConfig()
    unique = {m.id: m for m in messages}
    docs = analyze_all(list(unique.values()), config=config, progress=progress)
    if not docs:
        return []
    matrix, texts = doc_matrices(docs)
    df = doc_frequencies(docs)
    groups = [g for g in group_docs(matrix, docs, config) if len(g) >= config.min_size]
    family = families(groups, texts, docs, config.duplicate_similarity)
    found = [_issue([docs[i] for i in g], [int(family[i]) for i in g], unique, config, df, len(docs)) for g in groups]
    found.sort(key=lambda h: (-h.score, -h.count, h.window_start, h.request_ids[0]))
    return [replace(h, rank=rank) for rank, h in enumerate(found, start=1)]


def analyze_all(messages: Sequence[Message], *, config: IssueConfig, progress: Progress | None = None) -> list[Doc]:
    """Segment and place every message, complete places from the others, sort by time."""
    docs = []
    for done, message in enumerate(messages, start=1):
        docs.append(analyze(message, max_chars=config.max_chars, words_only=True))
        if progress and (done % PROGRESS_EVERY == 0 or done == len(messages)):
            progress("analyse", done, len(messages))
    return sorted(complete_places(recognise_known_places(docs)), key=lambda d: (d.time, d.id))


def _issue(
    members: list[Doc], family: list[int], messages: Mapping[str, Message], config: IssueConfig,
    df: Mapping[str, int], total: int,
) -> Hotspot:
    """One group as a hot issue: its place, terms, heat and members in time order."""
    order = sorted(range(len(members)), key=lambda k: (members[k].time, members[k].id))
    members, family = [members[k] for k in order], [family[k] for k in order]
    reporters = [_reporter(messages[d.id], fam) for d, fam in zip(members, family, strict=True)]
    chain = shared_place(members)
    placed = is_specific(chain, members)
    weights = report_weights(reporters)
    hottest, periods = peak([d.time for d in members], weights, least=config.min_size)
    score = heat_index(reports=hottest, periods=periods, placed=placed,
                       likes=sum(messages[d.id].likes for d in members))
    terms = top_terms(members, family, df=df, total=total, limit=config.top_terms, place=chain)
    return Hotspot(
        rank=0, place=place_label(chain), terms=terms, request_ids=[d.id for d in members],
        score=round(score, 3), window_start=members[0].time, window_end=members[-1].time, kind="issue",
        place_path=chain, title=title_of(chain, terms), count=len(members), writers=len(set(reporters)),
        reports=round(sum(weights), 2),
    )


def _reporter(message: Message, family: int) -> str:
    """Who stands behind a message: its user when known, else its family of near-copies."""
    return f"user:{message.user}" if message.user else f"text:{family}"

