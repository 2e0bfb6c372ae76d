"""Writing organisation and rules files from the admin API: validated first, replaced atomically, versioned."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path


def replace_file(path: Path, text: str) -> Path:
    """Keep the current file as <name>.<timestamp>.bak, then atomically write the new text; returns the backup."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    backup = path.with_name(f"{path.name}.{stamp}.bak")
    if path.exists():
        shutil.copy2(path, backup)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    tmp.replace(path)
    return backup
