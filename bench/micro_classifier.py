"""`python -m bench.micro classifier`: the router's single-text classifier path against scikit-learn's; rjieba, jieba.

The router runs `LinearTextModel.predict_one` (router/classifier/linear.py: the TF-IDF and linear scores of
the exported model in numpy); the scikit-learn pipeline it replaced is `TextClassifier.predict([text])`.
Both segment with `router.classifier.text.tokenize` (rjieba); the segmenters are timed on their own too.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Callable

from bench.payloads import classifier_texts


def per_second(call: Callable[[str], object], texts: list[str]) -> float:
    """Calls per CPU second, one text per call."""
    started = time.process_time()
    for text in texts:
        call(text)
    return len(texts) / (time.process_time() - started)


def segmenters(texts: list[str]) -> str:
    """jieba's and rjieba's segmentation of the same texts, calls per CPU second."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba
    import rjieba

    jieba.setLogLevel(logging.WARNING)
    jieba.lcut("预热")
    rjieba.cut("预热")
    return f"segmenting: jieba {per_second(jieba.lcut, texts):,.0f}/s, rjieba {per_second(rjieba.cut, texts):,.0f}/s"


def compare(n: int = 600) -> str:
    """Messages per CPU second on one core, both ways, whether they agree, and the segmenters."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from router.classifier.community import default_model

    model = default_model()
    fast, texts = model.linear(), classifier_texts()[:n]
    worst = 0.0
    for text in texts[:200]:
        (label, confidence), (fast_label, fast_confidence) = model.predict([text])[0], fast.predict_one(text)
        if label != fast_label:
            return f"labels differ on {text!r}: {label} / {fast_label}"
        worst = max(worst, abs(confidence - fast_confidence))
    old, new = per_second(lambda t: model.predict([t]), texts), per_second(fast.predict_one, texts)
    return (f"scikit-learn predict([text]) {old:,.0f}/s, numpy predict_one {new:,.0f}/s; same labels on 200, "
            f"confidences within {worst:.1e}\n{segmenters(texts)}")
