"""`python -m intake`: JSON logs, one start-up line naming store and broker, uvicorn on 127.0.0.1."""

from __future__ import annotations

import sys

import uvicorn

from intake.config import IntakeSettings
from intake.entrypoints.api import create_app
from servicekit.auth.envsecrets import MissingSecret
from servicekit.logs import configure_logging


def _redact(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def main() -> None:
    """Run the intake service until SIGTERM / Ctrl-C."""
    settings = IntakeSettings()
    log = configure_logging("intake", settings.log_level)
    try:
        app = create_app(settings)
    except MissingSecret as exc:
        print(str(exc), file=sys.stderr)
        raise SystemExit(2) from exc
    store = (f"mongodb ({settings.mongodb_db})" if settings.mongodb_url else
             f"sqlite ({settings.sqlite_path()}; set MONGODB_URL for MongoDB)")
    keys = " keys=DEV (WHISTLE_DEV_MODE=true)" if settings.dev_mode and not settings.contact_key else ""
    print(f"intake: store={store} broker={_redact(settings.rabbitmq_url)}{keys} "
          f"listening on http://{settings.host}:{settings.port}", flush=True)
    log.info("starting", extra={"port": settings.port})
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
