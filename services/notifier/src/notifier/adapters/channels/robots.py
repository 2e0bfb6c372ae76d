"""WeCom (企业微信) and DingTalk (钉钉) group robots: markdown messages in their documented formats."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote_plus

import httpx

from notifier.adapters.channels.base import DeliveryError, check_http, post
from notifier.domain.notifications import Notification


def _markdown(n: Notification) -> str:
    return f"### {n.title}\n{n.text}" + (f"\n> 案件：{n.case_id}" if n.case_id else "")


def _check_errcode(response: httpx.Response) -> None:
    check_http(response)
    try:
        body = response.json()
    except ValueError as exc:
        raise DeliveryError(f"robot answered without JSON: {response.text[:200]}") from exc
    if body.get("errcode", 0) != 0:
        # The robots answer HTTP 200 with an errcode; frequency limits (45009, 130101) pass with time.
        permanent = body.get("errcode") not in (45009, 130101, -1)
        raise DeliveryError(f"robot errcode {body.get('errcode')}: {body.get('errmsg')}", permanent=permanent)


class WeComRobot:
    """POST {"msgtype": "markdown", "markdown": {"content": …}} to the robot's webhook URL (with its key)."""

    name = "wecom"

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(self, notification: Notification) -> None:
        """Deliver once."""
        body = {"msgtype": "markdown", "markdown": {"content": _markdown(notification)}}
        _check_errcode(await post(self._client, notification.endpoint.address, json=body))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64(HMAC-SHA256(secret, "<timestamp>\\n<secret>")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


class DingTalkRobot:
    """POST {"msgtype": "markdown", "markdown": {"title", "text"}}; signed (timestamp, sign) when a secret is set."""

    name = "dingtalk"

    def __init__(self, client: httpx.AsyncClient, *, secret: str | None = None) -> None:
        self._client = client
        self._secret = secret

    async def send(self, notification: Notification) -> None:
        """Deliver once."""
        url = notification.endpoint.address
        if self._secret:
            stamp = int(time.time() * 1000)
            url += f"{'&' if '?' in url else '?'}timestamp={stamp}&sign={dingtalk_sign(self._secret, stamp)}"
        body = {"msgtype": "markdown", "markdown": {"title": notification.title, "text": _markdown(notification)}}
        _check_errcode(await post(self._client, url, json=body))
