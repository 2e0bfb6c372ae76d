"""Reports service: adapters."""
