"""Training and evaluating a TextClassifier: cross-validated scores, temperature fit, per-class figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from router.classifier.model import TextClassifier, build_pipeline, softmax


@dataclass(frozen=True)
class ClassFigures:
    """Precision, recall and F1 of one label, with its number of gold examples."""

    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Evaluation:
    """Macro F1, accuracy and per-class figures on one set of examples."""

    macro_f1: float
    accuracy: float
    per_class: tuple[ClassFigures, ...]
    examples: int


@dataclass(frozen=True)
class TrainResult:
    """The fitted model and its cross-validated evaluation (None when too few examples per label)."""

    model: TextClassifier
    cross_validated: Evaluation | None
    folds: int


def evaluate_predictions(gold: list[str], predicted: list[str]) -> Evaluation:
    """Macro F1, accuracy and per-class figures of predictions against gold labels."""
    labels = sorted(set(gold) | set(predicted))
    p, r, f, s = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    per_class = tuple(ClassFigures(lab, float(p[i]), float(r[i]), float(f[i]), int(s[i]))
                      for i, lab in enumerate(labels) if s[i] > 0)
    macro = float(f1_score(gold, predicted, labels=[c.label for c in per_class], average="macro"))
    accuracy = float(np.mean([g == q for g, q in zip(gold, predicted, strict=True)]))
    return Evaluation(macro, accuracy, per_class, len(gold))


def evaluate(model: TextClassifier, docs: list[str], gold: list[str]) -> Evaluation:
    """Evaluate a model on prepared documents."""
    return evaluate_predictions(gold, [label for label, _ in model.predict_docs(docs)])


def fit_temperature(scores: np.ndarray, gold_index: np.ndarray) -> float:
    """The softmax temperature that minimises the log loss of out-of-fold scores."""
    rows = np.arange(len(gold_index))

    def nll(t: float) -> float:
        return float(-np.log(softmax(scores, t)[rows, gold_index] + 1e-12).mean())

    return float(minimize_scalar(nll, bounds=(0.05, 50.0), method="bounded").x)


def usable_folds(labels: list[str], folds: int) -> int:
    """As many folds as asked, but no more than the rarest label has examples (0: no cross-validation)."""
    rarest = min(Counter(labels).values())
    k = min(folds, rarest)
    return k if k >= 2 else 0


def train(docs: list[str], labels: list[str], *, folds: int = 5, c: float = 0.5, seed: int = 0,
          jobs: int | None = None) -> TrainResult:
    """Cross-validate (for the score and the temperature), then fit on everything."""
    if len(set(labels)) < 2:
        raise ValueError("training needs at least two different labels")
    k = usable_folds(labels, folds)
    cv_eval, temperature = None, 1.0
    if k:
        split = StratifiedKFold(k, shuffle=True, random_state=seed)
        scores = cross_val_predict(build_pipeline(c=c, seed=seed), docs, labels, cv=split,
                                   method="decision_function", n_jobs=jobs)
        classes = np.array(sorted(set(labels)))
        if scores.ndim == 1:
            scores = np.column_stack([-scores, scores])
        gold_index = np.searchsorted(classes, labels)
        cv_eval = evaluate_predictions(labels, list(classes[scores.argmax(axis=1)]))
        temperature = fit_temperature(scores, gold_index)
    pipeline = build_pipeline(c=c, seed=seed).fit(docs, labels)
    meta = {"examples": len(docs), "labels": sorted(set(labels)), "c": c, "folds": k,
            "cv_macro_f1": cv_eval.macro_f1 if cv_eval else None}
    return TrainResult(TextClassifier(pipeline, temperature, meta), cv_eval, k)
