"""Reading versioned YAML/JSON files with validation errors that name the file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class FileInvalid(ValueError):
    """A configuration file failed validation; `errors` lists 'file:line: field: message' strings."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int:
    """1-based line of the deepest node on the path that exists."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            child = next((v for k, v in node.value if k.value == part), None)
            if child is None:
                break
            node = child
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


def parse_text(text: str, model: type[M], *, name: str) -> M:
    """Parse YAML (JSON is YAML) text and validate it against `model`."""
    try:
        data = yaml.safe_load(text)
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise FileInvalid([f"{name}:{line}: not valid YAML: {getattr(exc, 'problem', exc)}"]) from None
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            field = ".".join(str(p) for p in loc) or "(document)"
            errors.append(f"{name}:{_line_of(root, loc)}: {field}: {err['msg']}")
        raise FileInvalid(errors) from None


def load_file(path: Path, model: type[M]) -> M:
    """Read and validate a file; FileInvalid names the file when it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileInvalid([f"{path}:0: cannot read: {exc.strerror}"]) from None
    return parse_text(text, model, name=str(path))


def error_at(name: str, text: str, loc: tuple[int | str, ...], message: str) -> str:
    """Format one semantic error (found after schema validation) with its line."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        root = None
    return f"{name}:{_line_of(root, loc)}: {'.'.join(str(p) for p in loc)}: {message}"
