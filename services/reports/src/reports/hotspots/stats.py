"""The Poisson surprise used to score how far an observed count exceeds its expectation."""

from __future__ import annotations

import math

_LN10 = math.log(10)


def poisson_surprise(observed: int, expected: float) -> float:
    """-log10 P(X >= observed) for X ~ Poisson(expected): 6 means a one-in-a-million coincidence."""
    if observed <= 0:
        return 0.0
    if expected <= 0:
        raise ValueError("expected must be positive")
    log_pmf = -expected + observed * math.log(expected) - math.lgamma(observed + 1)
    if expected < observed:
        # Upper tail as pmf(k) times a fast-converging series: exact even when the tail is 1e-200.
        term = total = 1.0
        i = 1
        while term > 1e-12 * total and i < 10_000:
            term *= expected / (observed + i)
            total += term
            i += 1
        return max(0.0, -(log_pmf + math.log(total)) / _LN10)
    below = sum(math.exp(-expected + i * math.log(expected) - math.lgamma(i + 1)) for i in range(observed))
    return max(0.0, -math.log10(max(1.0 - below, 1e-300)))
