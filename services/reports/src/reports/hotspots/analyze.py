"""Turn a message into what the detectors count: its places (coarse to fine) and its terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from reports.hotspots import places as pl
from reports.hotspots.model import Message
from reports.hotspots.text import terms_of

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True, slots=True)
class Doc:
    """An analysed message: places as (name, level) from coarse to fine, terms, and word weights.

    `title_key` is the title without spaces and punctuation: equal keys mean a repeated report.
    `title_text` and `body_text` are what was segmented, place names replaced by a comma;
    `local_in_title` tells whether the finest local place (road or finer) was named in the title (or
    given), rather than only in the body, where it may be incidental; `organisation` is the first
    company, platform or the like the title names (金盛车贷), "" if none.
    """

    id: str
    time: datetime
    places: tuple[tuple[str, int], ...]
    terms: frozenset[str]
    weights: dict[str, float]
    title_key: str = ""
    title_text: str = ""
    body_text: str = ""
    local_in_title: bool = False
    organisation: str = ""


def aware(moment: datetime) -> datetime:
    """A timezone-aware time; naive times are read as Asia/Shanghai civil time."""
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


def _first(mentions: list[pl.PlaceMention], level: int) -> str | None:
    return next((m.name for m in mentions if m.level == level), None)


def _finest(mentions: list[pl.PlaceMention], floor: int) -> pl.PlaceMention | None:
    candidates = [m for m in mentions if m.level >= floor]
    return max(candidates, key=lambda m: (m.level, -m.start)) if candidates else None


def _text_places(title: list[pl.PlaceMention], body: list[pl.PlaceMention]) -> list[tuple[str, int]]:
    """City, district, town and the finest local place; the title wins over the body."""
    district = _first(title, pl.DISTRICT) or _first(body, pl.DISTRICT)
    city = pl.city_of(district) if district else _first(title, pl.CITY) or _first(body, pl.CITY)
    town = _first(title, pl.TOWN) or _first(body, pl.TOWN)
    local = _finest(title, pl.ROAD) or _finest(body, pl.ROAD)
    found = [(city, pl.CITY), (district, pl.DISTRICT), (town, pl.TOWN)]
    if local:
        found.append((local.name, local.level))
    return [(name, level) for name, level in found if name]


def _given_places(place: str) -> list[tuple[str, int]]:
    parts = [p.strip() for p in place.split("/") if p.strip()]
    return [(name, level) for level, name in enumerate(parts, start=1)]


def _strip(text: str) -> tuple[str, list[pl.PlaceMention]]:
    """Replace place mentions with a clause break so place names never become terms."""
    masked = pl.masked_places(text)
    for m in reversed(masked):
        text = f"{text[:m.start]}，{text[m.end:]}"
    named = pl.named_places(text)
    for m in reversed(named):
        text = f"{text[:m.start]}，{text[m.end:]}"
    return text, masked + named


def analyze(message: Message, *, max_chars: int, root: str = "", words_only: bool = False) -> Doc:
    """Places and terms of one message; only the first `max_chars` characters are segmented.

    A non-empty `root` is prepended to the places at level 0, so that platform-wide rises count.
    With `words_only`, `terms` is left empty: grouping similar requests needs only the words.
    """
    title, title_places = _strip(message.title)
    body, body_places = _strip(message.body[: max(0, max_chars - len(message.title))])
    found = _given_places(message.place) if message.place else _text_places(title_places, body_places)
    names = tuple(name for name, _ in found)
    if root:
        found.insert(0, (root, 0))
    title_terms, title_words = terms_of(title, names, words_only=words_only)
    body_terms, body_words = terms_of(body, names, words_only=words_only)
    # Similarity uses words only: bigrams are too idiosyncratic to make two writers' texts alike.
    weights = dict.fromkeys(body_words, 1.0) | dict.fromkeys(title_words, 2.0)
    moment = aware(message.time).astimezone(UTC)
    title_key = "".join(ch for ch in message.title if ch.isalnum())
    local_in_title = bool(message.place) or any(m.level >= pl.ROAD for m in title_places)
    organisation = next((m.name for m in pl.named_organisations(title)), "") if words_only else ""
    return Doc(message.id, moment, tuple(found), frozenset(title_terms | body_terms), weights, title_key,
               title, body, local_in_title, organisation)
