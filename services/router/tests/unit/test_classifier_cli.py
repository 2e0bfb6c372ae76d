"""router-train and router-classify: a round trip on the project's own fixtures."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from router.classifier import train_cli
from router.classifier.community import examples_path
from router.classifier.data import read_examples
from router.classifier.model import ModelFileError, TextClassifier

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "classifier"


def classify_command(model: Path) -> list[str]:
    """The installed `router-classify` next to this interpreter, else the module."""
    script = Path(sys.executable).with_name("router-classify")
    if script.exists():
        return [str(script), "--model", str(model)]
    return [sys.executable, "-m", "router.classifier.classify_cli", "--model", str(model)]


@pytest.fixture(scope="module")
def domain_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained by router-train on the tokens-column fixture."""
    out = tmp_path_factory.mktemp("model") / "domains.joblib"
    assert train_cli.main(["--data", str(FIXTURES / "domains_tokens.csv"), "--out", str(out), "--folds", "3"]) == 0
    return out


def test_train_prints_cross_validated_macro_f1_and_writes_a_loadable_model(domain_model: Path, capsys):
    out = domain_model.parent / "again.joblib"
    assert train_cli.main(["--data", str(FIXTURES / "domains_tokens.csv"), "--out", str(out), "--folds", "3"]) == 0
    printed = capsys.readouterr().out
    assert "cross-validated (3 folds): macro F1 0." in printed or "macro F1 1.0000" in printed
    assert "劳动和社会保障" in printed
    assert TextClassifier.load(out).labels == ["劳动和社会保障", "城乡建设", "教育文体"]


def test_train_accepts_title_and_body_columns_and_reports_a_dev_set(tmp_path: Path, capsys):
    out, report = tmp_path / "community.joblib", tmp_path / "report.json"
    code = train_cli.main(["--data", str(examples_path()), "--dev", str(examples_path()), "--out", str(out),
                           "--report", str(report)])
    assert code == 0
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert figures["examples"] == len(read_examples(examples_path()).labels) and figures["folds"] == 5
    assert figures["dev"]["macro_f1"] > 0.95  # its own training data
    assert len(TextClassifier.load(out).labels) == 20
    assert "dev set" in capsys.readouterr().out


def test_train_rejects_a_csv_without_the_needed_columns(tmp_path: Path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,category\n你好,a\n", encoding="utf-8")
    assert train_cli.main(["--data", str(bad), "--out", str(tmp_path / "m")]) == 2
    assert "needs a 'label' column" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_classify_answers_every_line_in_order_with_label_and_confidence(domain_model: Path):
    lines = (FIXTURES / "messages.jsonl").read_text(encoding="utf-8")
    done = subprocess.run(classify_command(domain_model), input=lines, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["id"] for a in answers] == ["m1", 2, "m3"]
    assert [a["label"] for a in answers] == ["劳动和社会保障", "教育文体", "城乡建设"]
    assert all(0.0 < a["confidence"] <= 1.0 for a in answers)


def test_classify_marks_unusable_lines_and_keeps_the_order(domain_model: Path):
    lines = '{"id": "a", "title": "拖欠工资"}\nnot json\n{"id": "c", "title": 5}\n{"id": "d", "body": "学校收费"}\n'
    done = subprocess.run(classify_command(domain_model), input=lines, capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False)
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 1
    assert [a["id"] for a in answers] == ["a", None, "c", "d"]
    assert [a["label"] is None for a in answers] == [False, True, True, False]
    assert "2 line(s) could not be read" in done.stderr


def test_classify_refuses_a_file_that_is_not_a_model(tmp_path: Path):
    junk = tmp_path / "junk.joblib"
    junk.write_bytes(b"not a model")
    with pytest.raises(ModelFileError):
        TextClassifier.load(junk)
    done = subprocess.run(classify_command(junk), input="", capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 2 and "junk.joblib" in done.stderr


def test_installed_scripts_are_on_the_virtualenv_path():
    if shutil.which("router-train", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("not running from the project's virtual environment")
    assert shutil.which("router-classify", path=str(Path(sys.executable).parent))


def test_train_reads_several_files_each_with_its_own_columns(tmp_path: Path):
    out = tmp_path / "both.joblib"
    code = train_cli.main(["--data", str(FIXTURES / "domains_tokens.csv"), "--data", str(examples_path()),
                           "--out", str(out), "--folds", "0"])
    assert code == 0
    labels = TextClassifier.load(out).labels
    assert "城乡建设" in labels and "安全隐患/电梯" in labels and len(labels) == 23
