"""`python -m router`: JSON logs, one start-up line naming store and broker, then uvicorn."""

from __future__ import annotations

import uvicorn

from router.config import RouterSettings
from router.entrypoints.api import create_app
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
    if settings.mongodb_url:
        store = f"store=mongodb ({_redact(settings.mongodb_url)}, db {settings.mongodb_db})"
    else:
        store = f"store=sqlite ({settings.sqlite_path()}; set MONGODB_URL for MongoDB)"
    print(f"router: {store} broker={_redact(settings.rabbitmq_url)} org={settings.resolved_org_file()} "
          f"listening on http://{settings.host}:{settings.port}", flush=True)
    uvicorn.run(create_app(settings, log), host=settings.host, port=settings.port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
