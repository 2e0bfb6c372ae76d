"""Access to the process container from a request."""

from __future__ import annotations

from fastapi import Request

from intake.bootstrap import Container


def container_of(request: Request) -> Container:
    """The container built in the lifespan."""
    return request.app.state.container  # type: ignore[no-any-return]
