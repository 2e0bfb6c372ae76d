"""Intake service: domain."""
