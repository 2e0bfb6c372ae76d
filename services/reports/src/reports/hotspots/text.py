"""Chinese segmentation into the terms hot issues are made of: content words and word bigrams."""

from __future__ import annotations

import itertools
import logging
import re
import warnings
from collections.abc import Callable, Iterable
from functools import cache, lru_cache
from importlib import resources

with warnings.catch_warnings():
    # jieba imports the deprecated pkg_resources; the warning would end up on the CLI's stderr.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    import jieba
    import jieba.posseg

# Single characters are mostly particles or fragments; these few name things residents complain about.
MEANINGFUL_CHARS = frozenset("水电气火烟油车房路桥灯树狗猫鼠蚊蝇臭吵堵漏雨雪冰热冷尘墙楼窗锁桶井坑粪")
_CLAUSE_BREAK = re.compile(r"[\s\u3000，。！？；：、,.!?;:()（）\[\]【】《》<>“”\"'‘’…—\-/\\|]+")
_HAS_DIGIT = re.compile(r"\d")
# Dictionary frequency below which a word inside a longer one is a fragment (公积 in 公积金), not a word.
SUBWORD_MIN_FREQ = 100
# Distinct tokens whose verdicts are remembered: a city's vocabulary fits, memory stays bounded.
VOCABULARY_CACHE = 200_000
_WORDLIKE = re.compile(r"^[\u4e00-\u9fffA-Za-z]+$")
# jieba part-of-speech tags of words that never name an issue: locality, place/time words, pronouns,
# particles, adverbs, prepositions, conjunctions, numerals, measure words, interjections.
_FUNCTION_TAGS = frozenset("f s t r rr rz rg u uj ul uz ud ug uv d dg p c m mq q y e o k h tg".split())
# Words jieba tags as time words that still name what residents complain about (夜宵摊, 暑假补课).
_TIME_WORDS_KEPT = frozenset("夜宵 宵夜 暑假 寒假 春节 国庆 中秋 周末 晚自习".split())


@cache
def stop_words() -> frozenset[str]:
    """The package's stop-word list (function words and complaint boilerplate)."""
    text = resources.files(__package__).joinpath("stopwords.txt").read_text(encoding="utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@cache
def tokenizer() -> jieba.Tokenizer:
    """The shared jieba tokenizer, initialised on first use."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


@cache
def word_tags() -> dict[str, str]:
    """jieba's part-of-speech tag of every dictionary word."""
    return jieba.posseg.POSTokenizer(tokenizer()).word_tag_tab


@cache
def segmenter() -> Callable[[str], Iterable[str]]:
    """jieba-rs (the `rjieba` package, ~15x faster) when installed, else jieba: same dictionary and method.

    The two agree on about 93% of messages token for token; they differ mostly on URLs and rare words.
    """
    try:
        import rjieba
    except ImportError:
        return tokenizer().cut
    return rjieba.cut


@lru_cache(maxsize=VOCABULARY_CACHE)
def is_term(token: str) -> bool:
    """True when a token can be part of a hot issue: no digits, not a stop word, not a lone particle."""
    if not _WORDLIKE.match(token) or _HAS_DIGIT.search(token) or token in stop_words():
        return False
    if word_tags().get(token) in _FUNCTION_TAGS and token not in _TIME_WORDS_KEPT:
        return False
    if len(token) == 1:
        return token in MEANINGFUL_CHARS
    return not (token.isascii() and len(token) < 2)


_BREAK, _TERM, _OTHER = range(3)


@lru_cache(maxsize=VOCABULARY_CACHE)
def _kind(token: str) -> int:
    if _CLAUSE_BREAK.fullmatch(token):
        return _BREAK
    return _TERM if is_term(token) else _OTHER


def clauses(text: str, place_names: tuple[str, ...] = ()) -> list[list[str]]:
    """Segment text with jieba; per clause, the tokens that are terms and not part of a place name."""
    result: list[list[str]] = [[]]
    for token in segmenter()(text):
        kind = _kind(token)
        if kind == _BREAK:
            if result[-1]:
                result.append([])
        elif kind == _TERM and not (place_names and _in_place(token, place_names)):
            result[-1].append(token)
    return [clause for clause in result if clause]


def _in_place(token: str, place_names: tuple[str, ...]) -> bool:
    return len(token) > 1 and any(token in name for name in place_names)


@lru_cache(maxsize=VOCABULARY_CACHE)
def subwords(token: str) -> tuple[str, ...]:
    """Common words that begin or end a longer word (电梯门 → 电梯, 物业管理 → 物业, 管理)."""
    freq = tokenizer().FREQ
    found = {token[:n] for n in (2, 3) if len(token) > n} | {token[-n:] for n in (2, 3) if len(token) > n}
    return tuple(w for w in found if freq.get(w, 0) >= SUBWORD_MIN_FREQ and is_term(w))


def terms_of(text: str, place_names: tuple[str, ...] = (), *, words_only: bool = False) -> tuple[set[str], list[str]]:
    """The set of unigram and bigram terms of a text (plus words inside longer words), and its words.

    With `words_only` the set is left empty (grouping needs only the words).
    """
    terms: set[str] = set()
    tokens: list[str] = []
    for clause in clauses(text, place_names):
        tokens.extend(clause)
        if words_only:
            continue
        terms.update(clause)
        terms.update(a + b for a, b in itertools.pairwise(clause) if a != b)
        terms.update(w for token in clause if len(token) > 2 for w in subwords(token))
    return terms, tokens
