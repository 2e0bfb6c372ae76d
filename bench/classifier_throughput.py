"""Benchmark (not a test): messages classified per second on one core, raw title and body to label.

Uses the model given with --model (e.g. one router-train wrote from govmsg), else the shipped community
model; the messages are govmsg's dev.csv when ../shared is present, else the bundled community examples.
Counts tokenising (jieba) and the model, in batches and one message at a time. BLAS is held to one thread.
Prints and writes bench/results/classifier_throughput.json.

    .venv/bin/python -m bench.classifier_throughput [--model MODEL] [--rounds 3]

Run it as a module from the repository root: as a script, bench/platform.py would shadow the standard library.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from router.classifier.community import examples_path  # noqa: E402
from router.classifier.model import TextClassifier, load_default_community_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEV = ROOT.parent / "shared" / "data" / "govmsg" / "dev.csv"


def messages() -> tuple[str, list[str]]:
    """(source name, texts as title + newline + body)."""
    path = DEV if DEV.exists() else examples_path()
    with path.open(encoding="utf-8", newline="") as handle:
        return path.name, [f"{r['title']}\n{r['body']}" for r in csv.DictReader(handle)]


def measure(model: TextClassifier, texts: list[str], batch: int, rounds: int) -> dict[str, float]:
    """Best of `rounds`: wall and CPU seconds for all texts, and messages per second by each."""
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(texts), batch):
            model.predict(texts[i:i + batch])
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return {"batch": batch, "messages": len(texts), "wall_s": round(best_wall, 3), "cpu_s": round(best_cpu, 3),
            "per_s_wall": round(len(texts) / best_wall, 1), "per_s_cpu": round(len(texts) / best_cpu, 1)}


def main() -> None:
    """Run the benchmark and write its figures."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", type=Path)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    model = TextClassifier.load(args.model) if args.model else load_default_community_model()
    source, texts = messages()
    model.predict(texts[:8])  # jieba's dictionary and numpy warm up outside the timing
    mean_chars = sum(map(len, texts)) / len(texts)
    runs = [measure(model, texts, batch, args.rounds) for batch in (256, 1)]
    result = {"model": str(args.model or "shipped community model"), "labels": len(model.labels),
              "messages_from": source, "mean_chars": round(mean_chars), "cpu_count": os.cpu_count(), "runs": runs}
    out = ROOT / "bench" / "results" / "classifier_throughput.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for r in runs:
        print(f"batch {r['batch']:>3}: {r['per_s_cpu']:.0f} messages/s per CPU second "
              f"({r['per_s_wall']:.0f}/s wall clock; {r['messages']} messages, mean {mean_chars:.0f} chars)")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
