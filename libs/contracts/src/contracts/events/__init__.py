"""Version-1 event payloads, one module per producing side."""
