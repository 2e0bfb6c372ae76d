"""The text classifier: tokenising, training, confidences, and the shipped community model."""

from __future__ import annotations

import pytest

from contracts.categories import BY_CODE
from router.classifier.model import load_default_community_model
from router.classifier.text import tokenize
from router.classifier.training import evaluate_predictions, train, usable_folds
from router.domain.classification import from_model_label


def test_tokenize_drops_stop_words_punctuation_and_excel_line_breaks():
    words = tokenize("我们小区的电梯坏了！_x000D_请尽快维修，谢谢。")
    assert "电梯" in words and "维修" in words
    assert not {"我们", "的", "了", "！", "，", "_x000D_", "x000D"} & set(words)


def test_training_needs_two_labels():
    with pytest.raises(ValueError, match="two different labels"):
        train(["电梯 坏", "电梯 停"], ["a", "a"])


def test_folds_never_exceed_the_rarest_label():
    assert usable_folds(["a"] * 9 + ["b"] * 3, 5) == 3
    assert usable_folds(["a"] * 9 + ["b"], 5) == 0


def test_per_class_figures_and_macro_f1_are_computed_from_predictions():
    ev = evaluate_predictions(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    by_label = {c.label: c for c in ev.per_class}
    assert by_label["a"].precision == 1.0 and by_label["a"].recall == 0.5
    assert by_label["b"].f1 == pytest.approx(0.8)
    assert ev.macro_f1 == pytest.approx((2 / 3 + 0.8) / 2) and ev.accuracy == 0.75


def test_confidences_are_probabilities_of_the_returned_label():
    docs = ["电梯 困人 故障"] * 3 + ["垃圾 清运 臭"] * 3 + ["拖欠 工资 社保"] * 3
    labels = ["safety"] * 3 + ["sanitation"] * 3 + ["labour"] * 3
    model = train(docs, labels, folds=3).model
    probs = model.probabilities(["电梯 故障", "垃圾 臭"])
    assert probs.sum(axis=1) == pytest.approx([1.0, 1.0])
    (l1, c1), (l2, c2) = model.predict_docs(["电梯 故障", "垃圾 臭"])
    assert (l1, l2) == ("safety", "sanitation")
    assert c1 == pytest.approx(probs[0].max()) and c1 > 1 / 3


@pytest.fixture(scope="module")
def community():
    return load_default_community_model()


def test_every_community_label_names_a_published_class_and_sub_category(community):
    assert len(community.labels) == len(BY_CODE)
    for label in community.labels:
        decided = from_model_label(label, 0.9)
        assert decided is not None and decided.sub_category in BY_CODE, label


@pytest.mark.parametrize(("text", "expected"), [
    ("二号楼的电梯又坏了，老人下不了楼", "安全隐患/电梯"),
    ("楼上每天晚上蹦迪，吵得孩子睡不着", "矛盾纠纷/噪音"),
    ("我妈的医保卡丢了，补办要什么材料", "民生咨询/社保医保"),
    ("有人在楼道里给电瓶车充电，一晚上不拔", "安全隐患/消防"),
    ("接到电话说我涉嫌洗钱，要把钱转到安全账户", "安全隐患/电诈"),
    ("想开一家小饭店，营业执照去哪里办", "发展诉求/证照办理"),
])
def test_the_shipped_model_routes_plain_community_messages(community, text, expected):
    label, confidence = community.predict([text])[0]
    assert label == expected
    assert 0.0 < confidence <= 1.0


def test_the_shipped_model_is_loaded_once_per_process(community):
    assert load_default_community_model() is community
