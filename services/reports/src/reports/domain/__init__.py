"""Reports service: domain."""
