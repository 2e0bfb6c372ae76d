"""The proposed single-text path of the router's classifier, against `TextClassifier.predict([text])`.

For one document, scikit-learn's per-call input validation dominates the vectorizers' `transform`; the
same arithmetic written out (analyser, vocabulary, sublinear tf × idf, l2 norm, linear scores, the
model's own softmax) gives the same labels and confidences several times faster.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable

import numpy as np

from bench.payloads import classifier_texts


def single_text_path(model) -> Callable[[str], tuple[str, float]]:  # type: ignore[no-untyped-def]
    """predict_one(text) built from a fitted TextClassifier."""
    from router.classifier.model import as_doc, softmax

    features, svm = model.pipeline.named_steps["features"], model.pipeline.named_steps["svm"]
    parts, offset = [], 0
    for _, vectorizer in features.transformer_list:
        parts.append((vectorizer.build_analyzer(), vectorizer.vocabulary_, vectorizer.idf_, offset))
        offset += len(vectorizer.vocabulary_)
    weights, bias, labels = np.ascontiguousarray(svm.coef_.T), svm.intercept_, svm.classes_

    def predict_one(text: str) -> tuple[str, float]:
        doc, x = as_doc(text), np.zeros(offset)
        for analyse, vocabulary, idf, start in parts:
            counts = Counter(i for i in map(vocabulary.get, analyse(doc)) if i is not None)
            if counts:
                idx = np.fromiter(counts.keys(), int)
                w = (1 + np.log(np.fromiter(counts.values(), float))) * idf[idx]
                x[start + idx] = w / np.linalg.norm(w)
        probs = softmax((x @ weights + bias)[None, :], model.temperature)[0]
        return str(labels[probs.argmax()]), float(probs.max())

    return predict_one


def compare(n: int = 300) -> str:
    """Messages per second on one core, both ways, and whether they agree."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from router.classifier.model import load_default_community_model

    model = load_default_community_model()
    fast, texts = single_text_path(model), classifier_texts()[:n]
    same = all(fast(t)[0] == model.predict([t])[0][0] and abs(fast(t)[1] - model.predict([t])[0][1]) < 1e-9
               for t in texts[:100])
    rates = []
    for call in (lambda t: model.predict([t]), fast):
        started = time.perf_counter()
        for text in texts:
            call(text)
        rates.append(n / (time.perf_counter() - started))
    return f"predict([text]) {rates[0]:,.0f}/s, single-text path {rates[1]:,.0f}/s, same results: {same}"
