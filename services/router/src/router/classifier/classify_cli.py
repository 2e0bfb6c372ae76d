"""router-classify: read JSON lines {"id", "title", "body"}, write {"id", "label", "confidence"} in order."""

from __future__ import annotations

import argparse
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from router.classifier.model import ModelFileError, TextClassifier


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="router-classify", description=__doc__)
    p.add_argument("--model", type=Path, required=True, help="a model file written by router-train")
    p.add_argument("--batch-size", type=int, default=256,
                   help="lines classified together (default 256; 1 answers each line as soon as it arrives)")
    return p.parse_args(argv)


def utf8(stream: TextIO) -> TextIO:
    """The standard stream switched to UTF-8 whatever the locale says."""
    if isinstance(stream, io.TextIOWrapper):
        stream.reconfigure(encoding="utf-8", errors="replace")
    return stream


def parse_line(line: str) -> tuple[Any, str | None, str]:
    """(id, text or None when the line is unusable, error message)."""
    try:
        msg = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, None, f"not JSON: {exc.msg}"
    if not isinstance(msg, dict):
        return None, None, "not a JSON object"
    title, body = msg.get("title") or "", msg.get("body") or ""
    if not isinstance(title, str) or not isinstance(body, str):
        return msg.get("id"), None, "title and body must be strings"
    return msg.get("id"), f"{title}\n{body}", ""


def batches(lines: TextIO, size: int) -> Iterator[list[str]]:
    """Non-blank input lines in lists of at most `size`."""
    batch: list[str] = []
    for line in lines:
        if line.strip():
            batch.append(line)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def classify_batch(model: TextClassifier, lines: list[str]) -> tuple[list[dict[str, Any]], int]:
    """Output records for one batch, in input order, and how many lines were unusable."""
    parsed = [parse_line(line) for line in lines]
    texts = [text for _, text, _ in parsed if text is not None]
    answers = iter(model.predict(texts))
    out, bad = [], 0
    for msg_id, text, error in parsed:
        if text is None:
            out.append({"id": msg_id, "label": None, "confidence": 0.0, "error": error})
            bad += 1
        else:
            label, confidence = next(answers)
            out.append({"id": msg_id, "label": label, "confidence": round(confidence, 4)})
    return out, bad


def main(argv: list[str] | None = None) -> int:
    """Entry point of `router-classify`; exit status 1 when some line was unusable."""
    args = parse_args(argv)
    try:
        model = TextClassifier.load(args.model)
    except ModelFileError as exc:
        print(f"router-classify: {exc}", file=sys.stderr)
        return 2
    stdin, stdout = utf8(sys.stdin), utf8(sys.stdout)
    unusable = 0
    for batch in batches(stdin, max(1, args.batch_size)):
        records, bad = classify_batch(model, batch)
        unusable += bad
        stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        stdout.flush()
    if unusable:
        print(f"router-classify: {unusable} line(s) could not be read; see their 'error' field", file=sys.stderr)
    return 1 if unusable else 0


if __name__ == "__main__":
    sys.exit(main())
