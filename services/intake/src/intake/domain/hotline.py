"""12345 hotline work orders: CSV or JSON rows turned into submissions, with errors by line (pure)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from intake.domain.model import CIVIL_TZ

COLUMNS = ("order_no", "compound_id", "text", "title", "name", "phone", "preferred_time", "deadline",
           "building", "unit", "room", "address", "class_code", "sub_category")
REQUIRED = ("order_no", "compound_id", "text")


@dataclass(frozen=True)
class OrderRow:
    """One work order as read, with its line (CSV: file line of the row; JSON: 1-based item index)."""

    line: int
    fields: dict[str, str]


def parse_csv(text: str) -> tuple[list[OrderRow], list[dict[str, Any]]]:
    """Rows of a CSV with a header line; unknown columns are reported once."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    errors: list[dict[str, Any]] = []
    unknown = [c for c in (reader.fieldnames or []) if c not in COLUMNS]
    if not reader.fieldnames:
        return [], [{"line": 1, "field": "header", "message": "缺少表头行"}]
    if unknown:
        errors.append({"line": 1, "field": ",".join(unknown), "message": "未知列，已忽略"})
    rows: list[OrderRow] = []
    for record in reader:
        line = reader.line_num
        if None in record:
            errors.append({"line": line, "field": "row", "message": "列数多于表头"})
            continue
        rows.append(OrderRow(line, {k: (v or "").strip() for k, v in record.items() if k in COLUMNS}))
    return rows, errors


def parse_json(text: str) -> tuple[list[OrderRow], list[dict[str, Any]]]:
    """A JSON array of order objects (or {"orders": [...]})."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [{"line": exc.lineno, "field": "body", "message": "不是有效的 JSON"}]
    items = data.get("orders") if isinstance(data, dict) else data
    if not isinstance(items, list):
        return [], [{"line": 1, "field": "body", "message": "应为工单数组"}]
    rows, errors = [], []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not all(isinstance(v, (str, int, float)) or v is None for v in item.values()):
            errors.append({"line": i, "field": "row", "message": "工单应为只含文字或数字的对象"})
            continue
        rows.append(OrderRow(i, {k: str(v).strip() for k, v in item.items() if k in COLUMNS and v is not None}))
    return rows, errors


def missing_fields(row: OrderRow) -> list[str]:
    """Required columns that are empty."""
    return [c for c in REQUIRED if not row.fields.get(c)]


def parse_deadline(value: str) -> datetime:
    """ISO 8601; a time without offset is Asia/Shanghai civil time. ValueError when unreadable."""
    moment = datetime.fromisoformat(value.replace("/", "-"))
    return moment if moment.tzinfo else moment.replace(tzinfo=CIVIL_TZ)


def submission(row: OrderRow) -> dict[str, Any]:
    """The POST /v1/requests body for a row (validated by the caller)."""
    f = row.fields
    body: dict[str, Any] = {"compound_id": f["compound_id"], "text": f["text"], "channel": "hotline_12345",
                            "external_ref": f["order_no"]}
    if f.get("title"):
        body["title"] = f["title"]
    location = {k: f[k] for k in ("building", "unit", "room", "address") if f.get(k)}
    if location:
        body["location"] = location
    contact = {k: f[k] for k in ("name", "phone", "preferred_time") if f.get(k)}
    if contact:
        body["contact"] = contact
    if f.get("class_code"):
        body["category"] = {"class_code": f["class_code"], **({"sub_category": f["sub_category"]}
                                                              if f.get("sub_category") else {})}
    if f.get("deadline"):
        body["external_deadline"] = parse_deadline(f["deadline"]).isoformat()
    return body
