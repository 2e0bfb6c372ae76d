"""`python -m reports.hotspots.worker`: one hot-issue pass in a child process, JSON on stdin and stdout.

The detector needs numpy, scipy and jieba's dictionary (over 100 MB resident); run in a child, they are
gone when the pass ends, and the service process that answers HTTP and consumes events never loads them.
Input: {"now": ISO, "config": {HotspotConfig fields}, "communities": {id: [message, …]}}.
Output: {"hotspots": {id: [hotspot, …]}}. This module imports the detector only inside `main`.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from reports.hotspots.model import Hotspot, HotspotConfig, Message

_HOTSPOT_TIMES = ("window_start", "window_end")


def encode_request(communities: dict[str, list[Message]], *, now: datetime, config: HotspotConfig) -> bytes:
    """The child's input for one pass."""
    return json.dumps({
        "now": now.isoformat(), "config": asdict(config),
        "communities": {c: [_message_doc(m) for m in messages] for c, messages in communities.items()},
    }, ensure_ascii=False).encode()


def _message_doc(message: Message) -> dict[str, Any]:
    return {f.name: getattr(message, f.name) for f in fields(Message)} | {"time": message.time.isoformat()}


def decode_request(raw: bytes) -> tuple[dict[str, list[Message]], datetime, HotspotConfig]:
    """The pass's messages per community, `now` and the configuration."""
    data = json.loads(raw)
    communities = {c: [Message(**(m | {"time": datetime.fromisoformat(m["time"])})) for m in messages]
                   for c, messages in data["communities"].items()}
    return communities, datetime.fromisoformat(data["now"]), HotspotConfig(**data["config"])


def encode_result(found: dict[str, list[Hotspot]]) -> bytes:
    """The child's output: every community's hot issues."""
    def doc(spot: Hotspot) -> dict[str, Any]:
        out = {f.name: getattr(spot, f.name) for f in fields(Hotspot)}
        return out | {k: out[k].isoformat() for k in _HOTSPOT_TIMES} | {"place_path": list(spot.place_path)}
    return json.dumps({"hotspots": {c: [doc(s) for s in spots] for c, spots in found.items()}},
                      ensure_ascii=False).encode()


def decode_result(raw: bytes) -> dict[str, list[Hotspot]]:
    """Hot issues per community from the child's output."""
    def spot(doc: dict[str, Any]) -> Hotspot:
        times = {k: datetime.fromisoformat(doc[k]) for k in _HOTSPOT_TIMES}
        return Hotspot(**(doc | times | {"place_path": tuple(doc["place_path"])}))
    return {c: [spot(d) for d in docs] for c, docs in json.loads(raw)["hotspots"].items()}


def main() -> int:
    """Read one pass from stdin, detect per community, write the result to stdout."""
    from reports.hotspots.detect import detect_hotspots

    communities, now, config = decode_request(sys.stdin.buffer.read())
    found = {c: detect_hotspots(messages, now=now, config=config) for c, messages in communities.items()}
    sys.stdout.buffer.write(encode_result(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
