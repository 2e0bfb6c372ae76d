"""The numpy path the router runs: the same labels and confidences as the scikit-learn pipeline, no sklearn import."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from router.classifier import runtime
from router.classifier.community import default_model
from router.classifier.data import read_examples
from router.classifier.linear import ExportError, LinearTextModel
from router.classifier.model import TextClassifier, build_pipeline, exported_path
from router.classifier.training import train

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "classifier"
EXAMPLES = Path(runtime.__file__).parent / "examples" / "community.csv"


MESSAGES = ("楼上卫生间漏水已经三天了，我家天花板一直在滴水", "隔壁装修每天早上七点就开始电钻，周末也不停",
            "想咨询一下灵活就业人员怎么在社区办理医保参保", "门口长期停着一辆落满灰的僵尸车，占了两个车位",
            "电梯 E3 故障，维修电话 400-800-1234，网址 www.example.com", "ＡＢＣ　全角\t制表\n换行  两个空格",
            "", "！！！", "a", "我们的")


def texts() -> list[str]:
    """Messages of every kind (Latin letters, digits, full-width and empty ones), the fixtures and examples."""
    examples = read_examples(EXAMPLES)
    lines = [json.loads(line) for line in (FIXTURES / "messages.jsonl").read_text(encoding="utf-8").splitlines()]
    return [*MESSAGES, *(f"{m['title']}\n{m['body']}" for m in lines), *examples.docs[::5]]


def assert_same(pipeline_model: TextClassifier, linear: LinearTextModel, inputs: list[str]) -> None:
    for text in inputs:
        (label, confidence), (fast_label, fast_confidence) = pipeline_model.predict([text])[0], linear.predict_one(text)
        assert fast_label == label, text
        assert abs(fast_confidence - confidence) < 1e-9, text


@pytest.fixture(scope="module")
def community() -> TextClassifier:
    return default_model()


def test_the_numpy_path_gives_the_pipelines_labels_and_confidences(community):
    assert_same(community, community.linear(), texts())


def test_the_export_reads_back_to_the_same_model(community, tmp_path):
    path = tmp_path / "community.npz"
    community.linear().save(path)
    assert_same(community, LinearTextModel.load(path), texts())


def test_the_shipped_export_is_the_model_the_bundled_examples_train(community):
    shipped, fresh = runtime.shipped_community_model(), community.linear()
    hint = "community.csv changed: run `python -m router.classifier.export_cli --community` and commit community.npz"
    assert shipped.labels == fresh.labels, hint
    assert [b.terms.tolist() for b in shipped.blocks] == [b.terms.tolist() for b in fresh.blocks], hint
    assert np.allclose(shipped.weights, fresh.weights, rtol=0, atol=1e-9), hint
    assert shipped.temperature == pytest.approx(fresh.temperature, abs=1e-9), hint
    assert_same(community, shipped, texts())


def test_a_two_label_model_scores_both_labels_as_the_pipeline_does():
    docs = ["电梯 困人 故障", "电梯 停运 维修", "电梯 异响", "垃圾 清运 臭", "垃圾 满 溢出", "垃圾桶 脏"]
    model = train(docs, ["lift"] * 3 + ["waste"] * 3, folds=3).model
    assert model.pipeline.named_steps["svm"].coef_.shape[0] == 1
    assert_same(model, model.linear(), ["电梯坏了", "垃圾没人清运", "小区门口", "电梯旁边的垃圾"])


def test_a_pipeline_the_numpy_path_cannot_reproduce_is_refused(community):
    pipeline = build_pipeline()
    pipeline.set_params(features__words__ngram_range=(1, 2))
    docs, labels = ["电梯 坏 了", "垃圾 臭 了"] * 3, ["a", "b"] * 3
    with pytest.raises(ExportError, match="does not reproduce"):
        TextClassifier(pipeline.fit(docs, labels)).linear()


def test_a_file_that_is_not_an_export_is_refused(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ExportError):
        LinearTextModel.load(junk)
    other = tmp_path / "other.npz"
    np.savez(other, format=np.array("something-else/1"))
    with pytest.raises(ExportError, match="not a whistle-linear-text"):
        LinearTextModel.load(other)


def test_saving_a_model_writes_its_export_and_the_router_loads_that(community, tmp_path, caplog):
    path = tmp_path / "community.joblib"
    community.save(path)
    assert exported_path(path).is_file()
    loaded = runtime.load_model(path)
    assert isinstance(loaded, LinearTextModel)
    assert_same(community, loaded, texts()[:20])
    assert "scikit-learn" not in caplog.text


def test_a_model_file_without_an_up_to_date_export_is_loaded_through_scikit_learn(community, tmp_path, caplog):
    path = tmp_path / "community.joblib"
    community.save(path)
    other = train(["电梯 坏", "电梯 停", "垃圾 臭", "垃圾 满"], ["a", "a", "b", "b"], folds=0).model
    other.save(tmp_path / "other.joblib")
    shutil.copy(tmp_path / "other.joblib", path)  # the model file replaced, its export left behind
    with caplog.at_level(logging.WARNING):
        loaded = runtime.load_model(path)
    assert isinstance(loaded, TextClassifier) and loaded.labels == ["a", "b"]
    assert "scikit-learn" in caplog.text
    exported_path(path).unlink()
    assert isinstance(runtime.load_model(path), TextClassifier)


CHECK = """
import json, logging, sys
from router.bootstrap import load_models
from router.config import RouterSettings
category, domain = load_models(RouterSettings(), logging.getLogger("check"))
print(json.dumps({"category": type(category).__name__, "domain": type(domain).__name__,
                  "sklearn": "sklearn" in sys.modules, "jieba": "jieba" in sys.modules,
                  "label": category.predict(["二号楼的电梯又坏了"])[0][0]}, ensure_ascii=False))
"""


def test_the_router_loads_its_models_without_importing_scikit_learn_or_jieba(community, tmp_path):
    domain = tmp_path / "domains.joblib"
    train(read_examples(FIXTURES / "domains_tokens.csv").docs, read_examples(FIXTURES / "domains_tokens.csv").labels,
          folds=0).model.save(domain)
    env = {**os.environ, "ROUTER_DOMAIN_MODEL": str(domain), "WHISTLE_DEV_MODE": "true"}
    env.pop("ROUTER_CLASSIFIER_MODEL", None)
    done = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {"category": "LinearTextModel", "domain": "LinearTextModel", "sklearn": False, "jieba": False,
                     "label": "安全隐患/电梯"}
