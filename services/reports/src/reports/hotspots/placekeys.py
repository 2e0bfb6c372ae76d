"""Places of requests as integer keys, so that whole blocks of requests can be compared at once."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from reports.hotspots.analyze import Doc
from reports.hotspots.places import CITY, DISTRICT, ROAD


@dataclass(frozen=True, slots=True)
class PlaceKeys:
    """Per doc (or per group of docs): integer ids, -1 when unknown.

    `titled` is the local place (road or finer) a title names, `mentioned` the local place named
    anywhere (title first), `district` and `city` the masked codes, `organisation` the organisation a
    title names (never a reason to keep two requests apart: one company can be at many places).
    """

    city: np.ndarray
    district: np.ndarray
    titled: np.ndarray
    mentioned: np.ndarray
    organisation: np.ndarray

    def conflict(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """True where two units are surely at different places: titles name different local places,
        or the districts or cities differ."""
        found = np.zeros((len(rows), len(cols)), dtype=bool)
        for key in (self.titled, self.district, self.city):
            a, b = key[rows][:, None], key[cols][None, :]
            found |= (a >= 0) & (b >= 0) & (a != b)
        return found

    def conflict_pairs(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """`conflict` for the pairs (first[k], second[k])."""
        found = np.zeros(len(first), dtype=bool)
        for key in (self.titled, self.district, self.city):
            a, b = key[first], key[second]
            found |= (a >= 0) & (b >= 0) & (a != b)
        return found

    def same_place_pairs(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """True for the pairs whose texts name the same local place."""
        a, b = self.mentioned[first], self.mentioned[second]
        return (a >= 0) & (a == b)


def _local(doc: Doc) -> str | None:
    return next((name for name, level in reversed(doc.places) if level >= ROAD), None)


def place_keys(docs: Sequence[Doc]) -> PlaceKeys:
    """Integer place keys of every doc."""
    ids: dict[str, int] = {}

    def key(name: str | None) -> int:
        return ids.setdefault(name, len(ids)) if name else -1

    levels = [{level: name for name, level in d.places} for d in docs]
    mentioned = [key(_local(d)) for d in docs]
    return PlaceKeys(
        city=np.array([key(lv.get(CITY)) for lv in levels], dtype=np.int64),
        district=np.array([key(lv.get(DISTRICT)) for lv in levels], dtype=np.int64),
        titled=np.array([m if d.local_in_title else -1 for m, d in zip(mentioned, docs, strict=True)],
                        dtype=np.int64),
        mentioned=np.array(mentioned, dtype=np.int64),
        organisation=np.array([key(d.organisation and "org:" + d.organisation) for d in docs], dtype=np.int64),
    )


def _common(values: np.ndarray) -> int:
    known = [int(v) for v in values if v >= 0]
    return Counter(known).most_common(1)[0][0] if known else -1


def unit_keys(keys: PlaceKeys, units: Sequence[np.ndarray]) -> PlaceKeys:
    """Keys of groups of docs: the most common known key of their members."""
    def column(values: np.ndarray) -> np.ndarray:
        return np.array([_common(values[u]) for u in units], dtype=np.int64)

    return PlaceKeys(city=column(keys.city), district=column(keys.district), titled=column(keys.titled),
                     mentioned=column(keys.mentioned), organisation=column(keys.organisation))
