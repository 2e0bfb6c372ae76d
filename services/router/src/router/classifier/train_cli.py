"""router-train: fit a classifier on a labelled CSV, print cross-validated macro F1, write the model."""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from dataclasses import asdict
from pathlib import Path

from router.classifier.data import DataError, Examples, read_all, read_examples
from router.classifier.training import Evaluation, evaluate, train
from router.classifier.weak import read_weak_replies


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    p = argparse.ArgumentParser(prog="router-train", description=__doc__)
    p.add_argument("--data", type=Path, required=True, action="append",
                   help="CSV with a 'label' column and 'tokens' (space-separated words) or 'title' and 'body'; "
                        "repeat to train on several files")
    p.add_argument("--out", type=Path, required=True, help="where to write the model file")
    p.add_argument("--dev", type=Path, help="optional held-out CSV (same columns) to evaluate the final model on")
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds (default 5; 0 skips it)")
    p.add_argument("--c", type=float, default=1.0, help="SVM regularisation C (default 1.0)")
    p.add_argument("--weak-replies", type=Path, action="append", default=[],
                   help="CSV of messages with their official reply (title, body, reply): the messages whose reply "
                        "names one domain's units are added as weakly labelled training rows (never scored); "
                        "read only when given")
    p.add_argument("--weak-weight", type=float, default=0.5, help="weight of a weak row (default 0.5)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int, default=None, help="parallel folds (default 1; -1 = every core)")
    p.add_argument("--report", type=Path, help="also write the figures as JSON to this file")
    return p.parse_args(argv)


def pad(text: str, width: int = 0) -> str:
    """Left-justify for a terminal, counting hanzi as two columns."""
    return text + " " * max(0, width - columns(text))


def columns(text: str) -> int:
    """Terminal columns the text takes."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_evaluation(title: str, ev: Evaluation) -> str:
    """A readable block: macro F1, accuracy, then one line per class."""
    w = max([columns(c.label) for c in ev.per_class] + [5]) + 1
    lines = [f"{title}: macro F1 {ev.macro_f1:.4f}, accuracy {ev.accuracy:.4f} ({ev.examples} examples)",
             f"  {pad('label', w)} {'precision':>9} {'recall':>7} {'F1':>7} {'support':>8}"]
    lines += [f"  {pad(c.label, w)} {c.precision:9.4f} {c.recall:7.4f} {c.f1:7.4f} {c.support:8d}"
              for c in ev.per_class]
    return "\n".join(lines)


def read_weak(paths: list[Path]) -> Examples | None:
    """Weakly labelled rows from reply files (None without any), with a line per file on what was kept."""
    if not paths:
        return None
    docs: list[str] = []
    labels: list[str] = []
    for path in paths:
        part, tally = read_weak_replies(path)
        docs += part.docs
        labels += part.labels
        kept = ", ".join(f"{label} {n}" for label, n in sorted(tally.items()) if label != "(no label)")
        print(f"weak labels from {path}: {len(part.docs)} of {sum(tally.values())} rows ({kept or 'none'})")
    return Examples(docs, labels)


def main(argv: list[str] | None = None) -> int:
    """Entry point of `router-train`."""
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        data = read_all(args.data)
        dev = read_examples(args.dev) if args.dev else None
        weak = read_weak(args.weak_replies)
        result = train(data.docs, data.labels, folds=args.folds, c=args.c, seed=args.seed, jobs=args.jobs,
                       extra=weak, extra_weight=args.weak_weight)
    except (DataError, ValueError) as exc:
        print(f"router-train: {exc}", file=sys.stderr)
        return 2
    report: dict[str, object] = {"data": [str(d) for d in args.data], "examples": len(data.docs), "folds": result.folds,
                                 "weak_examples": len(weak.docs) if weak else 0}
    if result.cross_validated:
        print(format_evaluation(f"cross-validated ({result.folds} folds)", result.cross_validated))
        report["cross_validated"] = asdict(result.cross_validated)
    else:
        print("cross-validated macro F1: n/a (a label has fewer than 2 examples, or --folds 0)")
    if dev is not None:
        dev_eval = evaluate(result.model, dev.docs, dev.labels)
        print(format_evaluation(f"dev set {args.dev}", dev_eval))
        report["dev"] = asdict(dev_eval)
        result.model.meta["dev_macro_f1"] = dev_eval.macro_f1
    result.model.save(args.out)
    print(f"model written to {args.out} ({len(result.model.labels)} labels, "
          f"temperature {result.model.temperature:.3f}, {time.perf_counter() - started:.1f} s)")
    if args.report:
        args.report.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
