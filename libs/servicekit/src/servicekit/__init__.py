"""Plumbing shared by the Whistle services (no domain logic)."""
