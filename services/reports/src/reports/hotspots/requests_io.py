"""Reading requests as JSON lines {"id", "title", "body", "time"[, "place", "user", "likes"]}."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import IO, Any

from reports.hotspots.analyze import SHANGHAI
from reports.hotspots.model import Message

# Other spellings of a civil time seen in exports: 2019/8/18 14:44:04, 2019-8-18 9:05, 2019年8月18日.
_LOOSE_TIME = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?)?"
)
# Optional fields under the names exports use for them.
USER_KEYS = ("user", "user_id", "author", "留言用户")
LIKES_KEYS = ("likes", "votes", "点赞数")
# Epoch numbers above this are milliseconds.
EPOCH_MILLIS = 10**11


class BadLine(ValueError):
    """A JSON line that is not a request."""


def parse_time(value: Any) -> datetime:
    """'2019-04-25 09:32:09' (Asia/Shanghai civil time), ISO 8601 with or without an offset, '2019/4/25 9:32',
    or seconds (milliseconds) since the epoch."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value / 1000 if value > EPOCH_MILLIS else value, tz=UTC)
    if not isinstance(value, str):
        raise BadLine(f"time must be a string, got {value!r}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = _loose_time(value)
    return moment.replace(tzinfo=SHANGHAI) if moment.tzinfo is None else moment


def _loose_time(value: str) -> datetime:
    match = _LOOSE_TIME.fullmatch(value.strip())
    try:
        if match:
            year, month, day, hour, minute, second = (int(part or 0) for part in match.groups())
            return datetime(year, month, day, hour, minute, second)
    except ValueError:
        pass
    raise BadLine(f"time {value!r} is not 'YYYY-MM-DD HH:MM:SS' or ISO 8601") from None


def _likes(value: Any) -> int:
    """A non-negative count; anything else (absent, text, negative) counts as none."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    return next((record[key] for key in keys if record.get(key) not in (None, "")), None)


def parse_line(line: str) -> Message:
    """One JSON line {"id", "title", "body", "time"[, "place", "user", "likes"]} as a Message.

    A title may be missing when there is a body (and the other way round).
    """
    try:
        record = json.loads(line.strip().lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        raise BadLine(f"not JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(record, dict):
        raise BadLine("not a JSON object")
    missing = [key for key in ("id", "time") if record.get(key) in (None, "")]
    if record.get("title") in (None, "") and record.get("body") in (None, ""):
        missing.insert(1, "title")
    if missing:
        raise BadLine(f"missing {', '.join(missing)}")
    texts = {key: record.get(key) or "" for key in ("title", "body")}
    if not all(isinstance(v, str) for v in texts.values()):
        raise BadLine("title and body must be strings")
    place, user = record.get("place"), _first(record, USER_KEYS)
    return Message(str(record["id"]), texts["title"], texts["body"], parse_time(record["time"]),
                   place if isinstance(place, str) and place else None,
                   str(user) if isinstance(user, str | int) else None, _likes(_first(record, LIKES_KEYS)))


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
