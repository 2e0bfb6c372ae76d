"""`reports-hotspots` end to end, as a subprocess, and its input parsing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reports.hotspots.analyze import SHANGHAI
from reports.hotspots.cli import BadLine, parse_line, parse_time

FIXTURE = Path(__file__).parent.parent / "fixtures" / "hotspots_city.jsonl"
ISSUES = Path(__file__).parent.parent / "fixtures" / "hotspots_issues.jsonl"
BURST_IDS = {f"burst-{i:02d}" for i in range(1, 13)}
MEILI_IDS = [f"meili-{i:02d}" for i in range(1, 17)]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("reports-hotspots")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from reports.hotspots.cli import main; sys.exit(main())"]


def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run([*_command(), *args], input=stdin, capture_output=True, text=True, env=env,
                          encoding="utf-8", timeout=120, check=False)


def test_by_default_the_tool_writes_the_hottest_group_of_similar_requests_first() -> None:
    result = _run("--input", str(ISSUES), "--top", "3")

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["rank"] for line in lines] == [1, 2, 3]
    top = lines[0]
    assert list(top)[:5] == ["rank", "place", "terms", "request_ids", "score"]
    assert top["place"] == "A市A5区魅力之城小区"
    assert top["request_ids"] == MEILI_IDS  # every member, in time order
    assert top["count"] == 16 and top["title"].startswith("A5区魅力之城小区 ")
    assert "油烟" in top["terms"] and 3 <= len(top["terms"]) <= 8
    assert top["first_time"] < top["last_time"]
    assert lines[0]["score"] > lines[1]["score"] > lines[2]["score"]


def test_cluster_mode_refuses_options_of_the_burst_mode() -> None:
    result = _run("--input", str(ISSUES), "--scan", "--window-days", "30")

    assert result.returncode == 2
    assert "--scan, --window-days cannot be used with --mode cluster" in result.stderr


def test_burst_mode_writes_the_planted_burst_as_the_top_hot_issue() -> None:
    result = _run("--input", str(FIXTURE), "--top", "3", "--mode", "burst")

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert 1 <= len(lines) <= 3
    top = lines[0]
    assert {"rank", "place", "terms", "request_ids", "score"} <= set(top)
    assert top["rank"] == 1 and top["place"] == "魏家坡小区"
    assert set(top["request_ids"]) == BURST_IDS
    assert "魏家坡小区" in result.stdout  # Chinese is written as is, not as \\u escapes


def test_stdin_input_and_top_one() -> None:
    result = _run("--input", "-", "--top", "1", "--mode", "burst", stdin=FIXTURE.read_text(encoding="utf-8"))

    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["rank"] for line in result.stdout.splitlines()] == [1]


def test_a_malformed_line_is_skipped_with_a_warning_naming_its_line(tmp_path: Path) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    lines.insert(2, '{"id": "x1", "title": "坏行", "body": ')
    lines.insert(5, '{"id": "x2", "title": "没有时间", "body": "正文"}')
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = _run("--input", str(broken), "--top", "1", "--mode", "burst")

    assert result.returncode == 0
    assert f"{broken}:3: not JSON" in result.stderr
    assert f"{broken}:6: missing time" in result.stderr
    assert set(json.loads(result.stdout)["request_ids"]) == BURST_IDS


def test_strict_mode_fails_on_the_first_malformed_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text(FIXTURE.read_text(encoding="utf-8") + '{"id": "x", "title": "t", "time": "昨天"}\n',
                      encoding="utf-8")

    result = _run("--input", str(broken), "--strict")

    assert result.returncode == 2
    assert result.stdout == ""
    assert f"{broken}:{len(FIXTURE.read_text(encoding='utf-8').splitlines()) + 1}: time '昨天'" in result.stderr


def test_a_missing_input_file_is_a_clear_error(tmp_path: Path) -> None:
    result = _run("--input", str(tmp_path / "absent.jsonl"))

    assert result.returncode == 2
    assert "absent.jsonl" in result.stderr


def test_lines_parse_with_shanghai_time_iso_times_and_numeric_ids() -> None:
    local = parse_line('{"id": 7, "title": "标题", "body": "正文", "time": "2019-04-25 09:32:09"}')
    iso = parse_line('{"id": "8", "title": "标题", "time": "2019-04-25T01:32:09Z"}')

    assert local.id == "7" and local.time == iso.time
    assert iso.body == ""
    assert iso.user is None and iso.likes == 0


@pytest.mark.parametrize("value", ["2019/4/25 9:32:09", "2019-4-25 9:32", "2019年4月25日 09:32:09", 1556155929,
                                   1556155929000])
def test_other_spellings_of_a_time_are_read_as_the_same_civil_time(value: object) -> None:
    assert parse_time(value).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == "2019-04-25 09:32"


def test_a_request_may_lack_a_title_or_a_body_but_not_both_and_export_field_names_are_understood() -> None:
    bodied = parse_line('\ufeff{"id": 3, "body": "正文", "time": "2019/4/25 9:32:09", "留言用户": "A01", "点赞数": 2}')

    assert (bodied.title, bodied.body, bodied.user, bodied.likes) == ("", "正文", "A01", 2)
    with pytest.raises(BadLine, match="missing title"):
        parse_line('{"id": 4, "title": "", "body": "", "time": "2019-04-25 09:32:09"}')


def test_optional_user_and_likes_are_read_and_bad_likes_count_as_none() -> None:
    given = parse_line('{"id": "1", "title": "t", "time": "2019-04-25 09:32:09", "user": 42, "likes": 7}')
    odd = parse_line('{"id": "2", "title": "t", "time": "2019-04-25 09:32:09", "user": "", "likes": "多"}')

    assert (given.user, given.likes) == ("42", 7)
    assert (odd.user, odd.likes) == (None, 0)


def test_a_file_starting_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    marked = tmp_path / "bom.jsonl"
    marked.write_text("\ufeff" + ISSUES.read_text(encoding="utf-8"), encoding="utf-8")

    result = _run("--input", str(marked), "--top", "1")

    assert result.returncode == 0 and "warning" not in result.stderr
    assert json.loads(result.stdout)["request_ids"] == MEILI_IDS


@pytest.mark.parametrize("line", ["[1, 2]", '{"id": "1", "title": 5, "time": "2019-04-25 09:32:09"}', "{"])
def test_lines_that_are_not_requests_are_refused(line: str) -> None:
    with pytest.raises(BadLine):
        parse_line(line)
