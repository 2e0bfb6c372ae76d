"""Segmentation into terms, place extraction and place completion."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import pytest

from reports.hotspots import text
from reports.hotspots.analyze import analyze
from reports.hotspots.gazetteer import complete_places
from reports.hotspots.model import Message
from reports.hotspots.places import COMMUNITY, COMPOUND, DISTRICT, ROAD, TOWN, masked_places, named_places
from reports.hotspots.stats import poisson_surprise
from reports.hotspots.text import is_term, terms_of

T = datetime(2019, 4, 25, 1, 32, tzinfo=UTC)


def test_terms_are_content_words_and_their_bigrams() -> None:
    terms, words = terms_of("小区电梯经常故障，物业不管")

    assert {"电梯", "故障", "物业", "电梯故障"} <= terms
    assert "经常" not in terms and "不" not in terms
    assert words[:2] == ["电梯", "故障"]


def test_bigrams_do_not_cross_punctuation() -> None:
    terms, _ = terms_of("电梯。故障")

    assert "电梯故障" not in terms


def test_numbers_stop_words_and_meaningless_single_characters_are_not_terms() -> None:
    assert not is_term("2019")
    assert not is_term("4.23")
    assert not is_term("A3")
    assert not is_term("的")
    assert not is_term("反映")
    assert not is_term("以南")
    assert is_term("水")
    assert is_term("噪音")


def test_masked_codes_are_cities_and_districts() -> None:
    found = [(m.name, m.level) for m in masked_places("位于A市A2区和K9县，还有A8县市")]

    assert found == [("A市", 1), ("A2区", DISTRICT), ("K9县", DISTRICT), ("A8县", DISTRICT)]


def test_named_places_are_trimmed_of_verbs_and_generic_words() -> None:
    found = {(m.name, m.level) for m in named_places("反映魏家坡小区电梯坏了，潇楚南路积水，请求解决北京御园小区问题")}

    assert ("魏家坡小区", COMPOUND) in found
    assert ("潇楚南路", ROAD) in found
    assert ("北京御园小区", COMPOUND) in found
    assert not any(name.startswith(("反映", "请求", "解决")) for name, _ in found)


def test_nested_places_are_found_separately() -> None:
    found = {(m.name, m.level) for m in named_places("星沙镇板桥小区和泉塘社区")}

    assert {("星沙镇", TOWN), ("板桥小区", COMPOUND), ("泉塘社区", COMMUNITY)} <= found


def test_generic_words_are_not_places() -> None:
    assert named_places("该小区的老旧小区改造和水泥路硬化") == []


def test_a_message_is_placed_at_its_finest_place_and_place_names_are_not_terms() -> None:
    doc = analyze(Message("1", "A3区魏家坡小区电梯故障", "魏家坡小区3栋电梯停运", T), max_chars=600, root="全部")

    assert doc.places == (("全部", 0), ("A市", 1), ("A3区", DISTRICT), ("魏家坡小区", COMPOUND))
    assert "电梯" in doc.terms
    assert not any("魏家" in t or "A3" in t for t in doc.terms)
    assert doc.time == T


def test_a_message_naming_only_its_compound_gets_the_district_others_name_with_it() -> None:
    docs = [
        analyze(Message("1", "A5区锦绣华庭停水", "", T), max_chars=600),
        analyze(Message("2", "A5区锦绣华庭垃圾", "", T), max_chars=600),
        analyze(Message("3", "锦绣华庭路灯不亮", "", T), max_chars=600),
    ]

    completed = complete_places(docs)

    assert completed[2].places == (("A市", 1), ("A5区", DISTRICT), ("锦绣华庭", COMPOUND))


def test_poisson_surprise_matches_hand_computed_tails() -> None:
    assert abs(poisson_surprise(1, 1.0) - 0.19920) < 1e-4  # -log10(1 - e^-1)
    assert abs(poisson_surprise(3, 0.1) - 3.8105) < 1e-3  # P(X >= 3 | 0.1) = 1.5465e-4
    assert poisson_surprise(0, 2.0) == 0.0
    assert poisson_surprise(12, 0.05) > poisson_surprise(6, 0.05) > poisson_surprise(6, 0.5)
    assert poisson_surprise(400, 0.01) > 1000  # no underflow far in the tail


def test_without_jieba_rs_plain_jieba_segments_the_same_words(monkeypatch: pytest.MonkeyPatch) -> None:
    fast = text.terms_of("小区电梯经常故障，物业不管")[0]
    monkeypatch.setitem(sys.modules, "rjieba", None)  # import rjieba now raises ImportError
    text.segmenter.cache_clear()
    try:
        slow = text.terms_of("小区电梯经常故障，物业不管")[0]
        assert text.segmenter() == text.tokenizer().cut
    finally:
        text.segmenter.cache_clear()
    assert slow == fast
