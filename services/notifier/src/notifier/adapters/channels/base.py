"""What every channel implements, and the error that says whether trying again can help."""

from __future__ import annotations

from typing import Protocol

import httpx

from notifier.domain.notifications import Notification


class DeliveryError(Exception):
    """A failed attempt; `permanent` means retrying cannot help (e.g. the receiver rejected the request)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Channel(Protocol):
    """Sends one notification or raises DeliveryError."""

    name: str

    async def send(self, notification: Notification) -> None:
        """Deliver, or raise DeliveryError."""
        ...


def check_http(response: httpx.Response) -> None:
    """2xx passes; 408/429/5xx may pass later (retry); any other 4xx will not (permanent)."""
    if response.is_success:
        return
    retry = response.status_code in (408, 429) or response.status_code >= 500
    raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}", permanent=not retry)


async def post(client: httpx.AsyncClient, url: str, **kwargs: object) -> httpx.Response:
    """POST, turning transport failures into retryable delivery errors."""
    try:
        return await client.post(url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}"[:300]) from exc
