"""The trained text classifier: TF-IDF words and characters, a linear SVM, calibrated confidences."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from router.classifier.text import tokenize

FORMAT = "whistle-text-classifier/1"


class ModelFileError(ValueError):
    """A model file that is not one `router-train` wrote."""


def squeeze(doc: str) -> str:
    """The token string without spaces, so character n-grams ignore how the text was segmented."""
    return doc.replace(" ", "")


def build_pipeline(*, c: float = 1.0, seed: int = 0) -> Pipeline:
    """Word unigrams plus character 1–3-grams, both sublinear TF-IDF, into a one-vs-rest linear SVM."""
    words = TfidfVectorizer(token_pattern=r"\S+", lowercase=True, sublinear_tf=True, min_df=1)
    chars = TfidfVectorizer(analyzer="char", preprocessor=squeeze, ngram_range=(1, 3), sublinear_tf=True,
                            min_df=2)
    return Pipeline([("features", FeatureUnion([("words", words), ("chars", chars)])),
                     ("svm", LinearSVC(C=c, random_state=seed))])


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Row-wise softmax of SVM scores scaled by the fitted temperature."""
    z = scores * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def as_doc(text: str) -> str:
    """Raw text (title and body) as the space-separated content words the pipeline reads."""
    return " ".join(tokenize(text))


@dataclass
class TextClassifier:
    """A fitted pipeline and the temperature that turns its scores into confidences."""

    pipeline: Pipeline
    temperature: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """The labels this model can return."""
        return [str(label) for label in self.pipeline.classes_]

    def probabilities(self, docs: list[str]) -> np.ndarray:
        """Calibrated label probabilities for prepared documents (space-separated words)."""
        scores = self.pipeline.decision_function(docs)
        if scores.ndim == 1:  # two labels: sklearn returns one column, the score of the second
            scores = np.column_stack([-scores, scores])
        return softmax(scores, self.temperature)

    def predict_docs(self, docs: list[str]) -> list[tuple[str, float]]:
        """(label, confidence) per prepared document."""
        if not docs:
            return []
        probs = self.probabilities(docs)
        best = probs.argmax(axis=1)
        labels = self.pipeline.classes_
        return [(str(labels[i]), float(probs[row, i])) for row, i in enumerate(best)]

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        """(label, confidence) per raw text, e.g. the title and body joined by a newline."""
        return self.predict_docs([as_doc(t) for t in texts])

    def classify(self, title: str, body: str) -> tuple[str, float]:
        """(label, confidence) of one message."""
        return self.predict([f"{title}\n{body}"])[0]

    def save(self, path: Path) -> None:
        """Write the model to one file (a pickle: load only files you made or trust)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": FORMAT, "sklearn": sklearn.__version__, "pipeline": self.pipeline,
                     "temperature": self.temperature, "meta": self.meta}, path, compress=3)

    @classmethod
    def load(cls, path: Path | str) -> TextClassifier:
        """Read a model written by `save` (raises ModelFileError for anything else)."""
        try:
            blob = joblib.load(path)
        except (OSError, EOFError, ValueError, KeyError, ImportError) as exc:
            raise ModelFileError(f"{path}: not a readable model file ({exc})") from exc
        if not isinstance(blob, dict) or blob.get("format") != FORMAT:
            raise ModelFileError(f"{path}: not a {FORMAT} model")
        if blob["sklearn"] != sklearn.__version__:
            warnings.warn(f"{path} was trained with scikit-learn {blob['sklearn']}, this is "
                          f"{sklearn.__version__}; retrain if predictions look wrong", stacklevel=2)
        return cls(blob["pipeline"], float(blob["temperature"]), dict(blob["meta"]))


def load_default_community_model() -> TextClassifier:
    """The shipped community-issue model (class/sub-category), trained on the bundled examples."""
    from router.classifier.community import default_model

    return default_model()
