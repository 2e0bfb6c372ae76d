"""What the security suite ran, for the closing summary line."""

COUNTS: dict[str, dict[str, int]] = {"endpoints": {}, "checks": {}, "fuzz": {}}
