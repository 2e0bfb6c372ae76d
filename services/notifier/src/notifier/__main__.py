"""`python -m notifier`: JSON logs, one start-up line naming store and broker, then uvicorn."""

from __future__ import annotations

import signal
import sys

import uvicorn

from notifier.config import NotifierSettings
from notifier.entrypoints.api import create_app
from servicekit.auth.envsecrets import MissingSecret
from servicekit.logs import configure_logging


def _redact(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def main() -> None:
    """Run the notifier until SIGINT/SIGTERM (the lifespan stops the scheduler and the broker cleanly)."""
    settings = NotifierSettings()
    configure_logging("notifier", settings.log_level)
    try:
        app = create_app(settings)
    except MissingSecret as exc:
        print(str(exc), file=sys.stderr)
        raise SystemExit(2) from exc
    if settings.mongodb_url:
        store = f"store=mongodb ({_redact(settings.mongodb_url)} db {settings.database_name})"
    else:
        store = f"store=sqlite ({settings.sqlite_path}; set MONGODB_URL for MongoDB)"
    speed = f" clock=x{settings.clock_speed:g}" if settings.clock_speed != 1 else ""
    print(f"notifier: {store} broker={_redact(settings.rabbitmq_url)}{speed} "
          f"listening on http://{settings.host}:{settings.port}", flush=True)
    # uvicorn re-raises SIGTERM after its clean shutdown; exit 0 then, so supervisors see a normal stop.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
