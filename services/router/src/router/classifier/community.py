"""The default community-issue model: trained at first use on examples written for Whistle."""

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
    """The shipped model, trained once per process (about a second) so no pickle ships with the code."""
    global _model
    with _lock:
        if _model is None:
            data = read_examples(examples_path())
            _model = train(data.docs, data.labels, folds=5, c=1.0).model
            _model.meta["source"] = "bundled community examples"
        return _model
