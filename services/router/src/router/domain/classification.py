"""Deciding class and sub-category: resident's hint, keyword rules, then the model's label."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.categories import BY_CODE, CLASSES
from router.domain.keywords import match_keywords

CLASS_BY_NAME = {name: code for code, name in CLASSES.items()}
SUB_BY_NAME = {c.name: c.code for c in BY_CODE.values()}


@dataclass(frozen=True)
class Classification:
    """A class, a sub-category (when known), who decided it and how sure they were."""

    class_code: str
    sub_category: str | None
    classified_by: str  # rule, model, manual or resident
    confidence: float | None = None
    matched: tuple[str, ...] = ()
    domain: str | None = None


def by_hint_and_rules(text: str, hint_class: str | None, hint_sub: str | None) -> Classification | None:
    """The resident's sub-category when valid; else keyword rules (within the hinted class); else None."""
    if hint_sub in BY_CODE:
        assert hint_sub is not None
        return Classification(BY_CODE[hint_sub].class_code, hint_sub, "resident", 1.0)
    valid_class = hint_class if hint_class in CLASSES else None
    found = match_keywords(text, valid_class)
    if found is None and valid_class:
        found = match_keywords(text)
        if found and BY_CODE[found[0]].class_code != valid_class:
            found = None
    if found is None:
        return None
    code, words = found
    return Classification(BY_CODE[code].class_code, code, "rule", None, tuple(words))


def from_model_label(label: str, confidence: float) -> Classification | None:
    """Map a model label `<class name>/<sub-category name>` (or codes) to a classification."""
    class_part, _, sub_part = label.partition("/")
    class_code = CLASS_BY_NAME.get(class_part, class_part if class_part in CLASSES else None)
    if class_code is None:
        return None
    sub = SUB_BY_NAME.get(sub_part, sub_part if sub_part in BY_CODE else None)
    if sub is not None and BY_CODE[sub].class_code != class_code:
        sub = None
    return Classification(class_code, sub, "model", round(float(confidence), 4))
