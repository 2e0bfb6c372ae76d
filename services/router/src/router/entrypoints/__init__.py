"""Router service: entrypoints."""
