"""The classifier at run time: TF-IDF and linear scores in numpy from an exported model, without scikit-learn."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from router.classifier.text import tokenize

FORMAT = "whistle-linear-text/1"
_WHITE_SPACES = re.compile(r"\s\s+")  # scikit-learn's char analyser collapses these before taking n-grams
_TOKEN = re.compile(r"\S+")
_BITS = 21  # bits of one Unicode code point (+ 1, so that 0 means "no character")


class ExportError(ValueError):
    """A file that is not an exported model, or a pipeline this module cannot reproduce."""


def squeeze(doc: str) -> str:
    """The token string without spaces, so character n-grams ignore how the text was segmented."""
    return doc.replace(" ", "")


def as_doc(text: str) -> str:
    """Raw text (title and body) as the space-separated content words the model reads."""
    return " ".join(tokenize(text))


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    """Row-wise softmax of SVM scores scaled by the fitted temperature."""
    z = scores * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def word_terms(doc: str) -> list[str]:
    """The words analyser: lower-cased, split on whitespace."""
    return _TOKEN.findall(doc.lower())


def char_text(doc: str) -> str:
    """What the characters analyser takes n-grams of: the squeezed document (not lower-cased)."""
    return _WHITE_SPACES.sub(" ", squeeze(doc))


def pack(code_points: np.ndarray) -> np.ndarray:
    """Each row of up to three code points (0 = none) as one integer, 21 bits a character."""
    shifted = np.where(code_points > 0, code_points.astype(np.uint64) + 1, 0)
    keys = np.zeros(len(shifted), np.uint64)
    for j in range(shifted.shape[1]):
        keys |= shifted[:, j] << np.uint64(_BITS * j)
    return keys


def gram_keys(text: str, low: int, high: int) -> np.ndarray:
    """The packed keys of every character `low`–`high`-gram of the text, as `pack` gives them for the terms."""
    points = np.frombuffer(text.encode("utf-32-le"), np.uint32).astype(np.uint64) + 1
    parts = []
    for n in range(low, min(high, len(points)) + 1):
        keys = points[:len(points) - n + 1].copy()
        for j in range(1, n):
            keys |= points[j:len(points) - n + 1 + j] << np.uint64(_BITS * j)
        parts.append(keys)
    return np.concatenate(parts) if parts else np.empty(0, np.uint64)


@dataclass(frozen=True)
class Block:
    """One TF-IDF vectoriser: how it analyses a document, its vocabulary and idf, and its first column.

    Words are looked up in a dict; character n-grams (hundreds of thousands in govmsg) as integers, three
    21-bit code points each, by binary search in a sorted array: a tenth of the memory of a dict of strings,
    and the n-grams of a document are computed in numpy without making a Python string of each.
    """

    kind: str  # "words" or "chars"
    ngram: tuple[int, int]
    terms: np.ndarray  # the term of each column
    idf: np.ndarray  # by column
    offset: int
    words: dict[str, int] = field(default_factory=dict, repr=False)
    keys: np.ndarray = field(default_factory=lambda: np.empty(0, np.uint64), repr=False)  # sorted packed n-grams
    key_columns: np.ndarray = field(default_factory=lambda: np.empty(0, np.intp), repr=False)

    @classmethod
    def build(cls, kind: str, ngram: tuple[int, int], terms: np.ndarray, idf: np.ndarray, offset: int) -> Block:
        """A block from its terms in column order, with the lookup structure of its kind."""
        terms = np.asarray(terms, dtype=str)
        if kind == "words":
            words = {t: i for i, t in enumerate(terms.tolist())}
            return cls(kind, ngram, terms, np.asarray(idf, float), offset, words=words)
        if kind != "chars" or ngram[1] > 3 or terms.dtype.itemsize > 12 or (terms.size and "\0" in "".join(terms)):
            raise ExportError(f"a {kind} block of {ngram}-grams is not one the numpy path reproduces")
        width = max(terms.dtype.itemsize // 4, 1)
        keys = pack(terms.view(np.uint32).reshape(-1, width)) if terms.size else np.empty(0, np.uint64)
        order = np.argsort(keys, kind="stable")
        return cls(kind, ngram, terms, np.asarray(idf, float), offset, keys=keys[order],
                   key_columns=order.astype(np.intp))

    @property
    def size(self) -> int:
        """Columns of the block."""
        return len(self.terms)

    def counts(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns within the block, occurrences) of the vocabulary terms in a prepared document."""
        if self.kind == "words":
            found = [i for i in map(self.words.get, word_terms(doc)) if i is not None]
            return np.unique(np.array(found, np.intp), return_counts=True)
        grams = gram_keys(char_text(doc), *self.ngram)
        if not grams.size or not self.keys.size:
            return np.empty(0, np.intp), np.empty(0, np.intp)
        grams, counts = np.unique(grams, return_counts=True)  # sorted needles also search faster
        at = np.minimum(np.searchsorted(self.keys, grams), self.keys.size - 1)
        hit = self.keys[at] == grams
        return self.key_columns[at[hit]], counts[hit]

    def features(self, doc: str) -> tuple[np.ndarray, np.ndarray]:
        """(columns, values): sublinear tf × idf, l2-normalised within the block, as the vectoriser computes."""
        columns, counts = self.counts(doc)
        if not columns.size:
            return columns, np.empty(0)
        values = (1.0 + np.log(counts)) * self.idf[columns]
        return columns + self.offset, values / np.sqrt(np.dot(values, values))


@dataclass
class LinearTextModel:
    """TF-IDF blocks and one-vs-rest linear scores with the softmax temperature: what the router runs."""

    blocks: tuple[Block, ...]
    weights: np.ndarray  # features × labels
    intercept: np.ndarray
    classes: np.ndarray
    temperature: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def labels(self) -> list[str]:
        """The labels this model can return."""
        return [str(label) for label in self.classes]

    def scores(self, doc: str) -> np.ndarray:
        """The SVM decision scores of one prepared document, one per label."""
        parts = [block.features(doc) for block in self.blocks]
        columns = np.concatenate([c for c, _ in parts])
        values = np.concatenate([v for _, v in parts])
        return values @ self.weights[columns] + self.intercept  # type: ignore[no-any-return]

    def predict_doc(self, doc: str) -> tuple[str, float]:
        """(label, confidence) of one prepared document."""
        probs = softmax(self.scores(doc)[None, :], self.temperature)[0]
        best = int(probs.argmax())
        return str(self.classes[best]), float(probs[best])

    def predict_one(self, text: str) -> tuple[str, float]:
        """(label, confidence) of one raw text, e.g. the title and body joined by a newline."""
        return self.predict_doc(as_doc(text))

    def predict(self, texts: list[str]) -> list[tuple[str, float]]:
        """(label, confidence) per raw text."""
        return [self.predict_one(t) for t in texts]

    def classify(self, title: str, body: str) -> tuple[str, float]:
        """(label, confidence) of one message."""
        return self.predict_one(f"{title}\n{body}")

    def save(self, path: Path) -> None:
        """Write the arrays to one .npz file (no pickled objects)."""
        arrays: dict[str, Any] = {"format": np.array(FORMAT), "weights": self.weights, "intercept": self.intercept,
                                  "classes": np.asarray(self.classes, dtype=str),
                                  "temperature": np.array(self.temperature),
                                  "meta": np.array(_meta_json(self.meta))}
        for n, block in enumerate(self.blocks):
            arrays[f"b{n}_kind"] = np.array(block.kind)
            arrays[f"b{n}_ngram"] = np.array(block.ngram)
            arrays[f"b{n}_terms"] = block.terms
            arrays[f"b{n}_idf"] = block.idf
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez_compressed(handle, **arrays)

    @classmethod
    def load(cls, path: Path | str) -> LinearTextModel:
        """Read a model written by `save` (raises ExportError for anything else)."""
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {name: data[name] for name in data.files}
        except (OSError, ValueError, EOFError) as exc:
            raise ExportError(f"{path}: not a readable exported model ({exc})") from exc
        if str(arrays.get("format", "")) != FORMAT:
            raise ExportError(f"{path}: not a {FORMAT} file")
        blocks, offset, n = [], 0, 0
        while f"b{n}_kind" in arrays:
            low, high = (int(x) for x in arrays[f"b{n}_ngram"])
            block = Block.build(str(arrays[f"b{n}_kind"]), (low, high), arrays[f"b{n}_terms"],
                                arrays[f"b{n}_idf"], offset)
            if len(block.idf) != block.size:
                raise ExportError(f"{path}: block {n} has {len(block.idf)} idf values for {block.size} terms")
            blocks.append(block)
            offset += block.size
            n += 1
        weights = np.ascontiguousarray(arrays["weights"], dtype=float)
        if offset != weights.shape[0]:
            raise ExportError(f"{path}: {offset} vocabulary terms for {weights.shape[0]} weight rows")
        return cls(tuple(blocks), weights, arrays["intercept"].astype(float), arrays["classes"],
                   float(arrays["temperature"]), _meta_dict(str(arrays["meta"])))


def _meta_json(meta: dict[str, Any]) -> str:
    import json

    return json.dumps(meta, ensure_ascii=False, default=str)


def _meta_dict(text: str) -> dict[str, Any]:
    import json

    found = json.loads(text or "{}")
    return found if isinstance(found, dict) else {}
