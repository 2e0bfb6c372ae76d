"""Intake service: entrypoints."""
