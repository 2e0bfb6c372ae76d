"""Reading labelled CSV files: a `label` column and either `tokens` or `title` and `body`."""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path

from router.classifier.model import as_doc
from router.classifier.text import filter_tokens


class DataError(ValueError):
    """A CSV file the trainer cannot use; the message names the file and, where it can, the line."""


@dataclass(frozen=True)
class Examples:
    """Prepared documents (space-separated content words) and their gold labels."""

    docs: list[str]
    labels: list[str]


def _doc(row: dict[str, str], has_tokens: bool) -> str:
    if has_tokens:
        return " ".join(filter_tokens(row.get("tokens") or ""))
    return as_doc(f"{row.get('title') or ''}\n{row.get('body') or ''}")


def read_examples(path: Path) -> Examples:
    """Read a labelled CSV (UTF-8, a header row; bodies may hold commas and newlines)."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise DataError(f"{path}: cannot open ({exc.strerror})") from exc
    with handle:
        reader = csv.DictReader(handle)
        columns = set(reader.fieldnames or [])
        has_tokens = "tokens" in columns
        if "label" not in columns or not (has_tokens or {"title", "body"} <= columns):
            raise DataError(f"{path}: needs a 'label' column and either 'tokens' or 'title' and 'body' "
                            f"(found: {', '.join(sorted(columns)) or 'no header'})")
        docs, labels = [], []
        try:
            for row in reader:
                label = (row.get("label") or "").strip()
                if not label:
                    raise DataError(f"{path}:{reader.line_num}: empty label")
                docs.append(_doc(row, has_tokens))
                labels.append(label)
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not UTF-8 ({exc.reason})") from exc
    if not docs:
        raise DataError(f"{path}: no examples")
    return Examples(docs, labels)


def read_all(paths: list[Path]) -> Examples:
    """Read several labelled CSV files (each with its own columns) as one set of examples."""
    docs: list[str] = []
    labels: list[str] = []
    for path in paths:
        part = read_examples(path)
        docs += part.docs
        labels += part.labels
    return Examples(docs, labels)
