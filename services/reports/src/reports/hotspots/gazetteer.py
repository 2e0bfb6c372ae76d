"""Complete a message's places from the others: 锦绣华庭 alone gets the A市/A5区 others name with it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from reports.hotspots.analyze import Doc
from reports.hotspots.places import ROAD

Chain = tuple[tuple[str, int], ...]
# A compound's name without 小区 is still its name when this long (丽发新城小区 → 丽发新城).
MIN_STEM = 3


def learn_parents(docs: list[Doc]) -> dict[str, Chain]:
    """For each finest place, the chain of coarser places most messages name with it."""
    seen: dict[str, Counter[Chain]] = defaultdict(Counter)
    for doc in docs:
        chain = tuple(p for p in doc.places if p[1] > 0)
        if len(chain) >= 2:
            seen[chain[-1][0]][chain[:-1]] += 1
    return {name: max(counts.items(), key=lambda item: (item[1], len(item[0]), item[0]))[0]
            for name, counts in seen.items()}


def complete_places(docs: list[Doc]) -> list[Doc]:
    """Docs whose finest place is known elsewhere with more parents get those parents."""
    parents = learn_parents(docs)
    completed = []
    for doc in docs:
        root = tuple(p for p in doc.places if p[1] == 0)
        chain = tuple(p for p in doc.places if p[1] > 0)
        best = parents.get(chain[-1][0]) if chain else None
        if best and len(best) > len(chain) - 1 and set(chain[:-1]) <= set(best):
            doc = replace(doc, places=root + best + chain[-1:])
        completed.append(doc)
    return completed


def _known_names(docs: list[Doc]) -> dict[str, tuple[str, int]]:
    """Local places titles name, by their full name and by their name without 小区."""
    known: dict[str, tuple[str, int]] = {}
    for doc in docs:
        if doc.local_in_title:
            name, level = doc.places[-1]
            known[name] = (name, level)
            if name.endswith("小区") and len(name) - 2 >= MIN_STEM:
                known.setdefault(name[:-2], (name, level))
    return known


def _find(title: str, known: dict[str, tuple[str, int]], by_start: dict[str, list[str]]) -> tuple[str, int] | None:
    """The longest known name in a title."""
    found = [w for i in range(len(title) - 1) for w in by_start.get(title[i:i + 2], ()) if title.startswith(w, i)]
    return known[max(found, key=len)] if found else None


def recognise_known_places(docs: list[Doc]) -> list[Doc]:
    """Titles that name a place other titles name (丽发新城 for 丽发新城小区) are placed there.

    Names are found by their suffix (小区, 路 …); a name written without its suffix is found only here.
    """
    known = _known_names(docs)
    by_start: dict[str, list[str]] = defaultdict(list)
    for name in known:
        by_start[name[:2]].append(name)
    placed = []
    for doc in docs:
        found = None if doc.local_in_title else _find(doc.title_key, known, by_start)
        if found:
            coarse = tuple(p for p in doc.places if p[1] < ROAD)
            doc = replace(doc, places=(*coarse, found), local_in_title=True)
        placed.append(doc)
    return placed
