"""SMS through a gateway described by an HTTP request template (URL, method, headers, body with placeholders)."""

from __future__ import annotations

import json
from urllib.parse import quote

import httpx

from notifier.adapters.channels.base import DeliveryError, check_http
from notifier.domain.notifications import Notification

DEFAULT_BODY = '{"phone": "{phone}", "content": "{text}", "template": "{template}", "ref": "{notification_id}"}'


def render(template: str, values: dict[str, str]) -> str:
    """Fill `{name}` placeholders with JSON-escaped values (the template's own quotes stay)."""
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", json.dumps(value, ensure_ascii=False)[1:-1])
    return out


class SmsGateway:
    """One HTTP call per message; the gateway's answer is checked by HTTP status."""

    name = "sms"

    def __init__(self, client: httpx.AsyncClient, *, url: str | None, method: str = "POST",
                 body_template: str = DEFAULT_BODY, headers: dict[str, str] | None = None) -> None:
        self._client, self._url, self._method = client, url, method.upper()
        self._body, self._headers = body_template, {"Content-Type": "application/json; charset=utf-8",
                                                    **(headers or {})}

    async def send(self, notification: Notification) -> None:
        """Deliver once."""
        if not self._url:
            raise DeliveryError("no SMS gateway configured (NOTIFIER_SMS_URL)", permanent=True)
        values = {"phone": notification.endpoint.address, "text": f"{notification.title}：{notification.text}",
                  "template": notification.template, "notification_id": notification.notification_id}
        url = self._url
        for key, value in values.items():
            url = url.replace("{" + key + "}", quote(value, safe=""))
        body = render(self._body, values).encode() if self._method != "GET" else None
        try:
            response = await self._client.request(self._method, url, content=body, headers=self._headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}"[:300]) from exc
        check_http(response)
