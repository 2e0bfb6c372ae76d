"""Describe a group of requests: the place its members share, its distinguishing words, a short title."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from reports.hotspots.analyze import Doc
from reports.hotspots.places import CITY, DISTRICT, ROAD
from reports.hotspots.text import tokenizer

UNKNOWN_PLACE = "地点不详"
TITLE_TERMS = 3
MIN_TERMS = 3
# A word jieba had to guess (not in its dictionary) is often a fragment left by a place name (穿长).
GUESSED_WORD_FACTOR = 0.6
BODY_WORD_WEIGHT = 0.5


def _majority(names: list[str]) -> str | None:
    """The most common name if at least half of those who name one agree on it."""
    if not names:
        return None
    (name, count), = Counter(sorted(names)).most_common(1)
    return name if 2 * count >= len(names) else None


def _titled_local(doc: Doc) -> str | None:
    if not doc.local_in_title:
        return None
    return next((name for name, level in reversed(doc.places) if level >= ROAD), None)


def _chain(members: Sequence[Doc], name: str, level: int) -> tuple[str, ...]:
    """The most common chain of places down to `name` among the members that name it."""
    chains = [tuple(n for n, lv in d.places if 0 < lv <= level) for d in members if (name, level) in d.places]
    return Counter(sorted(chains)).most_common(1)[0][0]


def shared_place(members: Sequence[Doc]) -> tuple[str, ...]:
    """The chain of places (coarse to fine) of the most specific place the members agree on.

    A local place (road or finer) counts only when titles name it: bodies mention places in passing.
    Without one, an organisation the titles name (金盛车贷) follows the district or city.
    A member that names no place does not disagree: it joined the group by its text.
    """
    local = _majority([name for d in members if (name := _titled_local(d))])
    if local:
        level = max(lv for d in members for n, lv in d.places if n == local)
        return _chain(members, local, level)
    organisation = _majority([d.organisation for d in members if d.organisation])
    coarse = _coarse(members)
    return (*coarse, organisation) if organisation else coarse


def _coarse(members: Sequence[Doc]) -> tuple[str, ...]:
    for level in (DISTRICT, CITY):
        name = _majority([n for d in members for n, lv in d.places if lv == level])
        if name:
            return _chain(members, name, level)
    return ()


def is_specific(chain: tuple[str, ...], members: Sequence[Doc]) -> bool:
    """True when the chain ends at a local place or an organisation rather than a town, district or city."""
    coarse = {name for d in members for name, level in d.places if level < ROAD}
    return bool(chain) and chain[-1] not in coarse


def place_label(chain: tuple[str, ...], *, short: bool = False) -> str:
    """'A市A5区魅力之城小区'; short drops the city when a finer place follows ('A5区魅力之城小区')."""
    if not chain:
        return UNKNOWN_PLACE
    return "".join(chain[1:] if short and len(chain) > 1 else chain)


def doc_frequencies(docs: Sequence[Doc]) -> Counter[str]:
    """In how many docs each word occurs."""
    counts: Counter[str] = Counter()
    for doc in docs:
        counts.update(doc.weights)
    return counts


def _support(members: Sequence[Doc], family: Sequence[int]) -> tuple[Counter[str], Counter[str]]:
    """Per word, the share of families using it (title 1, body only 0.5), and how many families use it."""
    best: dict[int, dict[str, float]] = defaultdict(dict)
    for doc, fam in zip(members, family, strict=True):
        for word, weight in doc.weights.items():
            if len(word) > 1:
                value = 1.0 if weight > 1 else BODY_WORD_WEIGHT
                best[fam][word] = max(value, best[fam].get(word, 0.0))
    support: Counter[str] = Counter()
    users: Counter[str] = Counter()
    for words in best.values():
        support.update({w: v / len(best) for w, v in words.items()})
        users.update(words.keys())
    return support, users


def top_terms(
    members: Sequence[Doc], family: Sequence[int], *, df: Mapping[str, int], total: int, limit: int,
    place: Sequence[str] = (),
) -> list[str]:
    """Words that several of the group's writers use and the other requests rarely do (support × IDF).

    Words of a single writer (or of near-copies of one text) come after, to reach at least three terms;
    words inside the names of `place` (金盛车 of 金盛车贷) are left out.
    """
    support, users = _support(members, family)
    for word in [w for w in support if any(w in name for name in place)]:
        del support[word]
    known = tokenizer().FREQ
    several = len(set(family)) > 1

    def rank(word: str) -> tuple[bool, float, str]:
        idf = math.log((total + 1) / (df.get(word, 0) + 1)) + 1
        score = support[word] * idf * (1.0 if known.get(word) else GUESSED_WORD_FACTOR)
        return (several and users[word] < 2, -score, word)

    picked: list[str] = []
    for word in sorted(support, key=rank):
        if several and users[word] < 2 and len(picked) >= MIN_TERMS:
            break
        if not any(word in p or p in word for p in picked):
            picked.append(word)
        if len(picked) == limit:
            break
    return picked


def title_of(chain: tuple[str, ...], terms: Sequence[str]) -> str:
    """A short human description: the place and the first few terms."""
    return " ".join([place_label(chain, short=True), *terms[:TITLE_TERMS]])
