"""classify_per_s: the router's text classifier on one core, one message per call (as the router calls it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from typing import Any

from bench.drive import REPO

ONE_CORE_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def measure(seconds: float = 5.0) -> dict[str, Any]:
    """Pinned to one core: single-message calls for `seconds`, then the same texts in batches of 64."""
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from bench.payloads import classifier_texts
    from router.classifier.model import load_default_community_model

    started = time.perf_counter()
    model = load_default_community_model()
    load_s = time.perf_counter() - started
    texts = classifier_texts()
    model.predict(texts[:10])
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        model.predict([texts[done % len(texts)]])
        done += 1
    single = done / (time.perf_counter() - started)
    started = time.perf_counter()
    for i in range(0, len(texts), 64):
        model.predict(texts[i:i + 64])
    batched = len(texts) / (time.perf_counter() - started)
    return {"classify_per_s": round(single), "classify_batched_per_s": round(batched),
            "model_load_s": round(load_s, 2), "cpu_pinned": sorted(os.sched_getaffinity(0))}


def run(ctx: Any) -> dict[str, Any]:
    """In a fresh process (so the pinning and thread limits apply to nothing else)."""
    code = "import json; from bench.scenarios.classify import measure; print(json.dumps(measure()))"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env={**os.environ, **ONE_CORE_ENV},
                         capture_output=True, text=True, check=True, timeout=300).stdout
    found = json.loads(out.strip().splitlines()[-1])
    return {"classify_per_s": found["classify_per_s"], "classify": found}
