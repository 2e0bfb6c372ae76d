"""Reading requests as JSON lines {"id", "title", "body", "time"[, "place", "user", "likes"]}."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from reports.hotspots.analyze import SHANGHAI
from reports.hotspots.model import Message


class BadLine(ValueError):
    """A JSON line that is not a request."""


def parse_time(value: Any) -> datetime:
    """'2019-04-25 09:32:09' (Asia/Shanghai civil time) or ISO 8601, with or without an offset."""
    if not isinstance(value, str):
        raise BadLine(f"time must be a string, got {value!r}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise BadLine(f"time {value!r} is not 'YYYY-MM-DD HH:MM:SS' or ISO 8601") from None
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


def _likes(value: Any) -> int:
    """A non-negative count; anything else (absent, text, negative) counts as none."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def parse_line(line: str) -> Message:
    """One JSON line {"id", "title", "body", "time"[, "place", "user", "likes"]} as a Message."""
    try:
        record = json.loads(line.strip())
    except json.JSONDecodeError as error:
        raise BadLine(f"not JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(record, dict):
        raise BadLine("not a JSON object")
    missing = [key for key in ("id", "title", "time") if record.get(key) in (None, "")]
    if missing:
        raise BadLine(f"missing {', '.join(missing)}")
    texts = {key: record.get(key) or "" for key in ("title", "body")}
    if not all(isinstance(v, str) for v in texts.values()):
        raise BadLine("title and body must be strings")
    place, user = record.get("place"), record.get("user")
    return Message(str(record["id"]), texts["title"], texts["body"], parse_time(record["time"]),
                   place if isinstance(place, str) and place else None,
                   str(user) if isinstance(user, str | int) and str(user) else None, _likes(record.get("likes")))


def read_messages(stream: IO[str], *, strict: bool, name: str) -> Iterator[Message]:
    """Messages of a JSON-lines stream; a bad line is skipped with a warning, or fatal if strict."""
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            yield parse_line(line)
        except BadLine as error:
            if strict:
                raise BadLine(f"{name}:{number}: {error}") from None
            print(f"reports-hotspots: warning: {name}:{number}: {error}; line skipped", file=sys.stderr)
