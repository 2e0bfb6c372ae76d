"""Weak labels from official replies, and training with them: rows added to every fold, never scored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from router.classifier import train_cli
from router.classifier.data import DataError, Examples
from router.classifier.model import TextClassifier
from router.classifier.text import filter_tokens
from router.classifier.training import train
from router.classifier.weak import read_weak_replies, weak_label

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "classifier"


@pytest.mark.parametrize(("reply", "expected"), [
    ("经A7县教育局调查，该校已停止补课。", "教育文体"),
    ("已转市人社局劳动监察支队处理。", "劳动和社会保障"),
    ("市交通运输局已协调公交公司增开班次。", "交通运输"),
    ("区城管执法大队已拆除违建。", "城乡建设"),
    ("经区住建局和区环保局联合调查……", None),  # two domains: not confident
    ("交警大队和区城管局已联合整治。", None),  # a unit outside the seven domains
    ("您的留言已收悉，我局将认真研究。", None),  # names no unit
    ("我们将保护好生态环境。", None),  # the phrase, not the unit
])
def test_a_reply_gives_the_domain_of_the_one_kind_of_unit_it_names(reply: str, expected: str | None):
    assert weak_label(reply) == expected


def test_reading_replies_keeps_only_confident_rows_as_raw_messages():
    examples, tally = read_weak_replies(FIXTURES / "replies.csv")
    assert examples.labels == ["教育文体", "交通运输", "城乡建设", "劳动和社会保障"]
    assert "晚点" in examples.docs[1].split()
    assert tally["(no label)"] == 3 and sum(tally.values()) == 7


def test_a_replies_file_without_a_reply_column_is_refused(tmp_path: Path):
    bad = tmp_path / "r.csv"
    bad.write_text("title,body\n标题,正文\n", encoding="utf-8")
    with pytest.raises(DataError, match="'reply'"):
        read_weak_replies(bad)


def test_extra_rows_train_the_model_but_are_never_scored():
    docs = ["电梯 困人 故障"] * 3 + ["垃圾 清运 臭"] * 3
    labels = ["safety"] * 3 + ["sanitation"] * 3
    extra = Examples(["拖欠 工资 社保", "工资 拖欠"], ["labour", "labour"])
    result = train(docs, labels, folds=3, extra=extra, extra_weight=1.0)
    assert result.cross_validated is not None and result.cross_validated.examples == 6
    assert result.model.labels == ["labour", "safety", "sanitation"]
    assert result.model.predict_docs(["拖欠 工资"])[0][0] == "labour"
    assert result.model.meta["extra_examples"] == 2


def test_the_govmsg_excel_line_break_is_not_a_word():
    assert filter_tokens("电梯 _x000D_ 故障 a_x000D_b") == ["电梯", "故障", "a", "b"]


def test_router_train_reads_weak_replies_only_when_given(tmp_path: Path, capsys):
    out, report = tmp_path / "m.joblib", tmp_path / "r.json"
    args = ["--data", str(FIXTURES / "domains_tokens.csv"), "--out", str(out), "--folds", "3", "--report", str(report)]
    assert train_cli.main(args) == 0
    assert json.loads(report.read_text(encoding="utf-8"))["weak_examples"] == 0
    assert "weak labels" not in capsys.readouterr().out
    assert train_cli.main([*args, "--weak-replies", str(FIXTURES / "replies.csv")]) == 0
    printed = capsys.readouterr().out
    assert "weak labels from" in printed and "4 of 7 rows" in printed
    assert json.loads(report.read_text(encoding="utf-8"))["weak_examples"] == 4
    assert "交通运输" in TextClassifier.load(out).labels
