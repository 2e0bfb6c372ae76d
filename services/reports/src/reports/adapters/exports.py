"""Writing case rows as CSV (UTF-8 with BOM, so Excel reads the Chinese) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping


def to_csv(rows: Iterable[Mapping[str, object]], columns: tuple[tuple[str, str], ...]) -> bytes:
    """CSV bytes with a Chinese header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title for _, title in columns])
    for row in rows:
        writer.writerow([row.get(key, "") for key, _ in columns])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[Mapping[str, object]], columns: tuple[tuple[str, str], ...], *,
            figures: Mapping[str, object] | None = None, title: str = "明细") -> bytes:
    """An XLSX workbook: a sheet of rows and, when given, a sheet of figures."""
    # Imported here: openpyxl loads numpy when it is installed, ~20 MB the service needs only for an export.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title
    sheet.append([t for _, t in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([row.get(key, "") for key, _ in columns])
    sheet.freeze_panes = "A2"
    if figures:
        stats = book.create_sheet("指标")
        stats.append(["指标", "数值"])
        for key, value in figures.items():
            stats.append([key, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
