"""Unicode hygiene for residents' text: no invisible-only input, no bidi overrides that disguise what is shown."""

from __future__ import annotations

import unicodedata

# Embedding, override and isolate controls can make a name or text display as something else (U+202E …).
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Zero-width space, word joiner and BOM carry nothing in Chinese text (ZWJ stays: emoji sequences use it).
ZERO_WIDTH = frozenset("\u200b\u2060\ufeff")
_INVISIBLE = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp"})
_KEEP_CONTROLS = frozenset("\n\t\r")


def clean(value: str) -> str:
    """The text without bidi embedding/override controls, zero-width spaces, and C0/C1 controls (newlines and
    tabs stay)."""
    return "".join(ch for ch in value if ch not in BIDI_CONTROLS and ch not in ZERO_WIDTH and (
        ch in _KEEP_CONTROLS or unicodedata.category(ch) != "Cc"))


def has_visible(value: str) -> bool:
    """True when at least one character is visible (not a space, control, zero-width or format character)."""
    return any(unicodedata.category(ch) not in _INVISIBLE for ch in value)
