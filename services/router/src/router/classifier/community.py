"""The default community-issue model, trained on examples written for Whistle; the router runs its export."""

from __future__ import annotations

import threading
from pathlib import Path

from router.classifier.data import read_examples
from router.classifier.model import TextClassifier
from router.classifier.training import train

_lock = threading.Lock()
_model: TextClassifier | None = None


def examples_path() -> Path:
    """The bundled CSV: label `<class>/<sub-category>` (names from contracts.categories), title, body."""
    return Path(__file__).parent / "examples" / "community.csv"


def default_model() -> TextClassifier:
    """The model the bundled examples train (about a second, once per process).

    The router does not train it: it loads `examples/community.npz`, this model's numpy export, written by
    `python -m router.classifier.export_cli --community` (a test fails when the two differ).
    """
    global _model
    with _lock:
        if _model is None:
            data = read_examples(examples_path())
            _model = train(data.docs, data.labels, folds=5, c=1.0).model
            _model.meta["source"] = "bundled community examples"
        return _model
