"""Generate the committed JSON Schemas of the envelope and every v1 payload (`python -m contracts.schema`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from contracts.envelope import Envelope
from contracts.registry import EVENT_MODELS

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"


def generate() -> dict[str, dict[str, Any]]:
    """Return file name → JSON Schema for the envelope and each event type."""
    schemas = {"envelope.json": Envelope.model_json_schema()}
    for model in EVENT_MODELS:
        schema = model.model_json_schema()
        schema["$id"] = f"https://whistle.example/schemas/{model.event_type}.json"
        schema["x-event-type"] = model.event_type
        schemas[f"{model.event_type}.json"] = schema
    return schemas


def render(schema: dict[str, Any]) -> str:
    """Serialise a schema the way it is committed."""
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) the schema files."""
    check = "--check" in (argv if argv is not None else sys.argv[1:])
    SCHEMA_DIR.mkdir(exist_ok=True)
    stale = []
    for name, schema in generate().items():
        path = SCHEMA_DIR / name
        text = render(schema)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        print("stale schemas (run `make schemas`):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
