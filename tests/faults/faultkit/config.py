"""How big a fault run is: the short version inside `make test`, the full one with FAULTS_FULL=1."""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    """Load and timing of each scenario."""

    full: bool
    requests: int
    duration_s: float
    outage_s: float
    settle_s: float  # the longest wait for the platform to catch up
    stall_s: float  # give up earlier when nothing moved for this long

    @property
    def mode(self) -> str:
        """`full` or `short`, as written to the results."""
        return "full" if self.full else "short"


def sizes() -> Sizes:
    """The sizes for this run; FAULTS_REQUESTS and FAULTS_DURATION_S override the defaults."""
    full = os.environ.get("FAULTS_FULL", "") not in ("", "0", "false")
    requests = int(os.environ.get("FAULTS_REQUESTS", 2000 if full else 60))
    duration = float(os.environ.get("FAULTS_DURATION_S", 60.0 if full else 2.0))
    return Sizes(full=full, requests=requests, duration_s=duration, outage_s=10.0 if full else 2.0,
                 settle_s=900.0 if full else 90.0, stall_s=60.0 if full else 20.0)
