"""Reports service."""
