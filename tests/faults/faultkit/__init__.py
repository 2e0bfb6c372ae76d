"""Helpers of the fault-injection runs: broker node control, TCP proxy, load, audit, checks, results."""
