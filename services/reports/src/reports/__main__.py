"""`python -m reports`: JSON logs, one start-up line naming store and broker, then uvicorn."""

from __future__ import annotations

import sys

import uvicorn

from reports.config import ReportsSettings
from reports.entrypoints.api import create_app
from servicekit.auth.envsecrets import MissingSecret
from servicekit.logs import configure_logging


def _redact(url: str) -> str:
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def main() -> None:
    """Run the reports service until SIGINT/SIGTERM."""
    settings = ReportsSettings()
    log = configure_logging("reports", settings.log_level)
    try:
        app = create_app(settings, log=log)
    except MissingSecret as exc:
        print(str(exc), file=sys.stderr)
        raise SystemExit(2) from exc
    store = (f"mongodb ({_redact(settings.mongodb_url)} db {settings.mongodb_db})" if settings.mongodb_url
             else f"sqlite ({settings.sqlite_path}; set MONGODB_URL for MongoDB)")
    print(f"reports: store={store} broker={_redact(settings.rabbitmq_url)} "
          f"listening on http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port,
                log_config=None, access_log=False)


if __name__ == "__main__":
    main()
