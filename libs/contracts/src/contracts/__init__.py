"""Whistle event contracts."""
