"""Training and evaluating a TextClassifier: cross-validated scores, temperature fit, per-class figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from joblib import Parallel, delayed
from scipy.optimize import minimize_scalar
from sklearn.metrics import f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline

from router.classifier.data import Examples
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


def _fit(docs: list[str], labels: list[str], extra: Examples | None, weight: float, c: float,
         seed: int) -> Pipeline:
    """A pipeline fitted on the examples plus the extra (weak) ones, those weighted by `weight`."""
    pipeline = build_pipeline(c=c, seed=seed)
    if extra is None or not extra.docs:
        return pipeline.fit(docs, labels)
    weights = np.r_[np.ones(len(docs)), np.full(len(extra.docs), weight)]
    return pipeline.fit(docs + extra.docs, labels + extra.labels, svm__sample_weight=weights)


def out_of_fold_scores(docs: list[str], labels: list[str], k: int, *, c: float, seed: int,
                       extra: Examples | None = None, weight: float = 1.0, jobs: int | None = None) -> np.ndarray:
    """Decision scores of each example from a model that did not see it (extra examples are in every fold)."""
    folds = list(StratifiedKFold(k, shuffle=True, random_state=seed).split(docs, labels))

    def scores(train_rows: np.ndarray, test_rows: np.ndarray) -> np.ndarray:
        model = _fit([docs[i] for i in train_rows], [labels[i] for i in train_rows], extra, weight, c, seed)
        s = model.decision_function([docs[i] for i in test_rows])
        return np.column_stack([-s, s]) if s.ndim == 1 else s

    parts = Parallel(n_jobs=jobs)(delayed(scores)(tr, te) for tr, te in folds)
    out = np.empty((len(docs), parts[0].shape[1]))
    for (_, test_rows), part in zip(folds, parts, strict=True):
        out[test_rows] = part
    return out


def train(docs: list[str], labels: list[str], *, folds: int = 5, c: float = 1.0, seed: int = 0,
          jobs: int | None = None, extra: Examples | None = None, extra_weight: float = 0.5) -> TrainResult:
    """Cross-validate on `docs` (for the score and the temperature), then fit on everything.

    `extra` (e.g. weakly labelled messages) is added to every training fold, weighted by `extra_weight`,
    and never scored, so the cross-validated figures are on the gold examples alone.
    """
    if len(set(labels)) < 2:
        raise ValueError("training needs at least two different labels")
    k = usable_folds(labels, folds)
    cv_eval, temperature = None, 1.0
    classes = np.array(sorted(set(labels) | set(extra.labels if extra else [])))
    if k:
        scores = out_of_fold_scores(docs, labels, k, c=c, seed=seed, extra=extra, weight=extra_weight, jobs=jobs)
        cv_eval = evaluate_predictions(labels, list(classes[scores.argmax(axis=1)]))
        temperature = fit_temperature(scores, np.searchsorted(classes, labels))
    pipeline = _fit(docs, labels, extra, extra_weight, c, seed)
    meta = {"examples": len(docs), "labels": [str(x) for x in classes], "c": c, "folds": k,
            "cv_macro_f1": cv_eval.macro_f1 if cv_eval else None,
            "extra_examples": len(extra.docs) if extra else 0, "extra_weight": extra_weight if extra else None}
    return TrainResult(TextClassifier(pipeline, temperature, meta), cv_eval, k)
