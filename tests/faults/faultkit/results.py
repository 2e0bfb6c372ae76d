"""Scenario figures: written to tests/faults/results/latest.json after each scenario, printed as a table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parents[1] / "results" / "latest.json"
COLUMNS = ("scenario", "store", "mode", "accepted", "lost", "duplicated", "dead_lettered", "recovery_s")
ROWS: list[dict[str, Any]] = []


def record(row: dict[str, Any], path: Path = RESULTS, rows: list[dict[str, Any]] = ROWS) -> None:
    """Add one scenario's figures (replacing an earlier row of the same scenario and store) and rewrite the file."""
    rows[:] = [r for r in rows if (r["scenario"], r.get("store")) != (row["scenario"], row.get("store"))]
    rows.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def table(rows: list[dict[str, Any]]) -> str:
    """A plain-text table of the main columns."""
    cells = [[_cell(r.get(c)) for c in COLUMNS] for r in rows]
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(COLUMNS)]
    line = "  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))
    body = ["  ".join(v.rjust(w) if i > 2 else v.ljust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True)))
            for row in cells]
    return "\n".join([line, "-" * len(line), *body])


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)
