"""The trained text classifier: TF-IDF words and characters, a linear SVM, calibrated confidences."""

from __future__ import annotations

import hashlib
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

from router.classifier.linear import Block, ExportError, LinearTextModel, as_doc, softmax, squeeze

__all__ = ["ExportError", "LinearTextModel", "ModelFileError", "TextClassifier", "as_doc", "build_pipeline",
           "export_linear", "exported_path", "softmax", "squeeze"]
FORMAT = "whistle-text-classifier/1"


class ModelFileError(ValueError):
    """A model file that is not one `router-train` wrote."""


def build_pipeline(*, c: float = 1.0, seed: int = 0) -> Pipeline:
    """Word unigrams plus character 1–3-grams, both sublinear TF-IDF, into a one-vs-rest linear SVM."""
    words = TfidfVectorizer(token_pattern=r"\S+", lowercase=True, sublinear_tf=True, min_df=1)
    chars = TfidfVectorizer(analyzer="char", preprocessor=squeeze, ngram_range=(1, 3), sublinear_tf=True,
                            min_df=2)
    return Pipeline([("features", FeatureUnion([("words", words), ("chars", chars)])),
                     ("svm", LinearSVC(C=c, random_state=seed))])


def exported_path(path: Path) -> Path:
    """Where `save` writes the numpy export of a model file: the same name with the suffix .npz."""
    if path.suffix == ".npz":
        raise ValueError(f"{path}: a model file must not end in .npz (that name is for its export)")
    return path.with_suffix(".npz")


def file_digest(path: Path) -> str:
    """SHA-256 of a file, so an export can tell whether it still belongs to the model file next to it."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


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

    def linear(self) -> LinearTextModel:
        """The same model as numpy arrays (what the router runs); raises ExportError for other pipelines."""
        return export_linear(self)

    def save(self, path: Path) -> None:
        """Write the model (a pickle: load only files you made or trust) and its numpy export next to it."""
        export = exported_path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"format": FORMAT, "sklearn": sklearn.__version__, "pipeline": self.pipeline,
                     "temperature": self.temperature, "meta": self.meta}, path, compress=3)
        linear = self.linear()
        linear.meta["model_sha256"] = file_digest(path)
        linear.save(export)

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


def export_linear(model: TextClassifier) -> LinearTextModel:
    """Vocabularies, idf, coefficients, intercepts, labels and temperature of a fitted pipeline, for numpy alone."""
    features, svm = model.pipeline.named_steps["features"], model.pipeline.named_steps["svm"]
    if getattr(features, "transformer_weights", None):
        raise ExportError("weighted feature blocks are not supported")
    blocks, offset = [], 0
    for _, vectorizer in features.transformer_list:
        kind = _block_kind(vectorizer)
        terms = [""] * len(vectorizer.vocabulary_)
        for term, column in vectorizer.vocabulary_.items():
            terms[column] = str(term)
        low, high = vectorizer.ngram_range
        blocks.append(Block.build(kind, (int(low), int(high)), np.array(terms, dtype=str), vectorizer.idf_, offset))
        offset += len(terms)
    coef, intercept = np.asarray(svm.coef_, float), np.asarray(svm.intercept_, float)
    if coef.shape[0] == 1:  # two labels: one score, that of the second; the first gets its negation
        coef, intercept = np.vstack([-coef, coef]), np.r_[-intercept, intercept]
    return LinearTextModel(tuple(blocks), np.ascontiguousarray(coef.T), intercept, np.asarray(svm.classes_, str),
                           model.temperature, dict(model.meta))


def _block_kind(vectorizer: TfidfVectorizer) -> str:
    """The block's kind, "words" or "chars", when the numpy path reproduces the vectoriser exactly; else ExportError."""
    same_tfidf = (vectorizer.sublinear_tf and vectorizer.use_idf and vectorizer.norm == "l2" and not vectorizer.binary
                  and vectorizer.stop_words is None and vectorizer.tokenizer is None and vectorizer.input == "content"
                  and np.dtype(vectorizer.dtype) == np.float64)
    plain_words = (vectorizer.token_pattern == r"\S+" and vectorizer.lowercase and vectorizer.strip_accents is None
                   and vectorizer.preprocessor is None and tuple(vectorizer.ngram_range) == (1, 1))
    if same_tfidf and vectorizer.analyzer == "word" and plain_words:
        return "words"
    if same_tfidf and vectorizer.analyzer == "char" and getattr(vectorizer.preprocessor, "__name__", "") == "squeeze":
        return "chars"
    raise ExportError(f"a vectoriser the numpy path does not reproduce: {vectorizer!r}")


def load_default_community_model() -> LinearTextModel:
    """The shipped community-issue model (class/sub-category) as the router runs it."""
    from router.classifier.runtime import shipped_community_model

    return shipped_community_model()
