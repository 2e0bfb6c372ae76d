"""One module per scenario; each `run(ctx)` returns the figures it adds to latest.json."""
