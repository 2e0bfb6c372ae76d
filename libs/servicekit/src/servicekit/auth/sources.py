"""Which producer may publish which event type: a small allow-list checked where events are consumed.

A source may name a field of the payload in braces, e.g. `/departments/{dept_code}`: a department's
reply must come from that department's own source. Types are matched with AMQP topic patterns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

DEFAULT_SOURCES: dict[str, tuple[str, ...]] = {
    "request.*.v1": ("/whistle/intake",),
    "feedback.*.v1": ("/whistle/intake",),
    "case.*.v1": ("/whistle/router",),
    "whistle.*.v1": ("/whistle/router",),
    "dept.case.*.v1": ("/departments/{dept_code}",),
    "sla.*.v1": ("/whistle/notifier",),
    "reminder.*.v1": ("/whistle/notifier",),
    "notification.*.v1": ("/whistle/notifier",),
    "hotspot.*.v1": ("/whistle/reports",),
}


@lru_cache(maxsize=4096)  # asked ~a dozen times per delivery, over a few dozen patterns and event types
def topic_matches(pattern: str, key: str) -> bool:
    """AMQP topic matching: `*` is one word, `#` zero or more."""
    regex = "^" + r"\.".join(
        {"*": r"[^.]+", "#": r".*"}.get(word, re.escape(word)) for word in pattern.split(".")) + "$"
    regex = regex.replace(r"\..*", r"(\..*)?").replace(r".*\.", r"(.*\.)?")
    return re.match(regex, key) is not None


@dataclass(frozen=True)
class SourcePolicy:
    """Allowed `source` values per event-type pattern; a type no pattern covers is refused."""

    allowed: Mapping[str, Sequence[str]] = field(default_factory=lambda: dict(DEFAULT_SOURCES))

    def with_overrides(self, overrides: Mapping[str, Sequence[str]] | None) -> SourcePolicy:
        """This policy with some patterns replaced or added (WHISTLE_EVENT_SOURCES)."""
        return SourcePolicy({**self.allowed, **{k: tuple(v) for k, v in (overrides or {}).items()}})

    def refusal(self, event_type: str, source: str, data: Mapping[str, Any]) -> str | None:
        """None when the source may publish this type, else the reason it may not."""
        patterns = [p for p in self.allowed if topic_matches(p, event_type)]
        if not patterns:
            return f"no producer is allowed to publish {event_type}"
        for pattern in patterns:
            for template in self.allowed[pattern]:
                if _expand(template, data) == source:
                    return None
        return f"source {source!r} may not publish {event_type}"


def _expand(template: str, data: Mapping[str, Any]) -> str | None:
    names = re.findall(r"{(\w+)}", template)
    values = {n: data.get(n) for n in names}
    if any(not isinstance(v, str) or not v for v in values.values()):
        return None
    return template.format(**values)
