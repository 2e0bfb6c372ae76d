"""The classifier on real 问政 messages (../shared/data/govmsg), skipped when that data is not beside the repo."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from router.classifier.data import read_examples
from router.classifier.training import evaluate, train

GOVMSG = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "govmsg"
pytestmark = pytest.mark.skipif(not (GOVMSG / "train.csv").exists(), reason="../shared/data/govmsg is not present")


def test_a_model_trained_on_a_third_of_the_tokens_data_classifies_raw_dev_messages():
    data, dev = read_examples(GOVMSG / "train.csv"), read_examples(GOVMSG / "dev.csv")
    rows = random.Random(7).sample(range(len(data.docs)), 2600)
    model = train([data.docs[i] for i in rows], [data.labels[i] for i in rows], folds=0).model
    result = evaluate(model, dev.docs, dev.labels)
    assert len(result.per_class) == 7
    assert result.macro_f1 > 0.8, result
    linear = model.linear()  # what the router runs: the same label and confidence for every dev message
    for (label, confidence), doc in zip(model.predict_docs(dev.docs), dev.docs, strict=True):
        fast_label, fast_confidence = linear.predict_doc(doc)
        assert fast_label == label and abs(fast_confidence - confidence) < 1e-9, doc
