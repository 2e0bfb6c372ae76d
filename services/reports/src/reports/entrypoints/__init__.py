"""Reports service: entrypoints."""
