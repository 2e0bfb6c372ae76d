"""Webhook: JSON body signed with HMAC-SHA256; the notification id is the idempotency key."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx

from notifier.adapters.channels.base import check_http, post
from notifier.domain.notifications import Notification

SIGNATURE_HEADER = "X-Whistle-Signature"
TIMESTAMP_HEADER = "X-Whistle-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256(secret, "<timestamp>." + body); receivers recompute and compare."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def payload(n: Notification) -> dict[str, object]:
    """The JSON a webhook receiver gets."""
    return {"notification_id": n.notification_id, "case_id": n.case_id, "audience": str(n.audience),
            "recipient": n.recipient, "template": n.template, "title": n.title, "text": n.text,
            "urgent": n.urgent, "data": n.data, "created_at": n.created_at.isoformat(), "attempt": n.attempts + 1}


class WebhookChannel:
    """POSTs to the endpoint's URL."""

    name = "webhook"

    def __init__(self, client: httpx.AsyncClient, *, secret: str) -> None:
        self._client = client
        self._secret = secret

    async def send(self, notification: Notification) -> None:
        """Deliver once; the caller retries with backoff."""
        body = json.dumps(payload(notification), ensure_ascii=False, default=str).encode()
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json; charset=utf-8", TIMESTAMP_HEADER: stamp,
                   IDEMPOTENCY_HEADER: notification.notification_id,
                   SIGNATURE_HEADER: signature(self._secret, stamp, body)}
        check_http(await post(self._client, notification.endpoint.address, content=body, headers=headers))
