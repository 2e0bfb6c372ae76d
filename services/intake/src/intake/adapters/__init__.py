"""Intake service: adapters."""
