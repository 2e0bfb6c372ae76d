"""`python -m router`: JSON logs, one start-up line naming store and broker, then uvicorn."""

from __future__ import annotations

import sys

import uvicorn

from router.config import RouterSettings
from router.entrypoints.api import create_app
from servicekit.auth.envsecrets import MissingSecret
from servicekit.logs import configure_logging


def _redact(url: str) -> str:
    if "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}"


def main() -> None:
    """Start the router service."""
    settings = RouterSettings()
    log = configure_logging("router", settings.log_level)
    try:
        app = create_app(settings, log)
    except MissingSecret as exc:
        print(str(exc), file=sys.stderr)
        raise SystemExit(2) from exc
    if settings.mongodb_url:
        store = f"store=mongodb ({_redact(settings.mongodb_url)}, db {settings.mongodb_db})"
    else:
        store = f"store=sqlite ({settings.sqlite_path()}; set MONGODB_URL for MongoDB)"
    print(f"router: {store} broker={_redact(settings.rabbitmq_url)} org={settings.resolved_org_file()} "
          f"listening on http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(app, host=settings.host, port=settings.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
