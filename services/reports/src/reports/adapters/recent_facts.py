"""The facts this process read or wrote last, so the next event of the same case needs no read from the store.

A case's events arrive within seconds of each other (routed, whistle, deadlines, notifications), so most
reads of a fact follow its own last write. A stale entry (another process wrote the fact since) is harmless:
the save's version check refuses it, the adapter drops the entry, and the handler reads the store again.
"""

from __future__ import annotations

from collections import OrderedDict

from reports.domain.facts import CaseFact

DEFAULT_SIZE = 2048  # a few MB of facts; at 200 requests/s about ten seconds of cases


class RecentFacts:
    """A bounded, least-recently-used map of case id → fact."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self._size = size
        self._facts: OrderedDict[str, CaseFact] = OrderedDict()

    def get(self, case_id: str) -> CaseFact | None:
        """The remembered fact, or None."""
        fact = self._facts.get(case_id)
        if fact is not None:
            self._facts.move_to_end(case_id)
        return fact

    def put(self, fact: CaseFact) -> None:
        """Remember the fact as stored (its version is the stored one)."""
        self._facts[fact.case_id] = fact
        self._facts.move_to_end(fact.case_id)
        if len(self._facts) > self._size:
            self._facts.popitem(last=False)

    def drop(self, case_id: str) -> None:
        """Forget a case (its stored fact moved on)."""
        self._facts.pop(case_id, None)

    def clear(self) -> None:
        """Forget everything."""
        self._facts.clear()
