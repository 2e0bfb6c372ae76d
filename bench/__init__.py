"""Whistle's benchmarks: `make bench` (never part of `make test`); see docs/performance.md."""
