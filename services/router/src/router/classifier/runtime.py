"""Loading the router's classifiers at start from numpy exports, so the service never imports scikit-learn."""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path
from typing import Any

from router.classifier.linear import ExportError, LinearTextModel

_lock = threading.Lock()
_shipped: LinearTextModel | None = None


def shipped_path() -> Path:
    """The exported community model that ships with the code (`python -m router.classifier.export_cli --community`)."""
    return Path(__file__).parent / "examples" / "community.npz"


def shipped_community_model() -> LinearTextModel:
    """The shipped community-issue model, read once per process."""
    global _shipped
    with _lock:
        if _shipped is None:
            _shipped = LinearTextModel.load(shipped_path())
        return _shipped


def load_model(path: Path, log: logging.Logger | None = None) -> Any:
    """A model file for the router: its .npz export, or the file itself when it is one.

    A `router-train` file without an up-to-date export next to it (written by an older version, or replaced
    since) is loaded through scikit-learn as before, with a warning: that costs about 100 MB of memory.
    """
    path = Path(path)
    if path.suffix == ".npz":
        return LinearTextModel.load(path)
    export = path.with_suffix(".npz")
    reason = "no export next to it"
    if export.is_file():
        model = LinearTextModel.load(export)
        if not path.exists() or model.meta.get("model_sha256") == _digest(path):
            return model
        reason = f"{export.name} belongs to another version of it"
    (log or logging.getLogger("router")).warning(
        "classifier model loaded through scikit-learn (about 100 MB more memory); run "
        "`python -m router.classifier.export_cli MODEL` once to write its export",
        extra={"model": str(path), "reason": reason})
    from router.classifier.model import TextClassifier

    return TextClassifier.load(path)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


__all__ = ["ExportError", "load_model", "shipped_community_model", "shipped_path"]
