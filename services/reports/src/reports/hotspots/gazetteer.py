"""Complete a message's places from the others: 锦绣华庭 alone gets the A市/A5区 others name with it."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace

from reports.hotspots.analyze import Doc

Chain = tuple[tuple[str, int], ...]


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
