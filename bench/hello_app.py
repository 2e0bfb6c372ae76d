"""The reference endpoint: FastAPI returning a small JSON body, served exactly as the services are served."""

from __future__ import annotations

import sys

import uvicorn
from fastapi import FastAPI


def create_app() -> FastAPI:
    """One GET route with a small JSON answer."""
    app = FastAPI(title="hello")

    @app.get("/hello")
    async def hello() -> dict[str, str]:
        return {"message": "hello", "service": "bench"}

    return app


def main() -> None:
    """`python -m bench.hello_app PORT`: one uvicorn worker, the services' settings (no access log)."""
    port = int(sys.argv[1])
    uvicorn.run(create_app(), host="127.0.0.1", port=port, log_config=None, access_log=False)


if __name__ == "__main__":
    main()
