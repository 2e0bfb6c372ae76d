"""Router service: adapters."""
