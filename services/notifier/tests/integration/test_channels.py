"""Every delivery channel against a local receiver: webhook, WeCom, DingTalk, SMS gateway (HTTP) and SMTP."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import socket
from datetime import UTC, datetime
from email import message_from_bytes
from email.header import decode_header, make_header
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from aiosmtpd.controller import Controller

from notifier.adapters.channels.base import DeliveryError
from notifier.adapters.channels.email import EmailChannel
from notifier.adapters.channels.robots import DingTalkRobot, WeComRobot
from notifier.adapters.channels.sms import SmsGateway
from notifier.adapters.channels.webhook import WebhookChannel
from notifier.domain.notifications import Audience, Endpoint, Notification

NOW = datetime(2025, 3, 3, 2, 0, tzinfo=UTC)


def note(channel: str, address: str) -> Notification:
    return Notification(notification_id="n-1", case_id="c1", audience=Audience.STAFF, recipient="u1",
                        endpoint=Endpoint(channel, address), template="sla.warning", title="【吹哨】诉求响应时限临近",
                        text="案件 c1 的响应时限将于 03月03日 10:30 到期，请尽快处理。", created_at=NOW,
                        next_attempt_at=NOW)


async def test_the_webhook_posts_signed_json_with_an_idempotency_key(receiver):
    async with httpx.AsyncClient() as client:
        await WebhookChannel(client, secret="s3cret").send(note("webhook", receiver.url + "/hook"))
    [req] = receiver.requests
    body = req["body"]
    assert json.loads(body)["title"] == "【吹哨】诉求响应时限临近"
    assert req["headers"]["Idempotency-Key"] == "n-1"
    stamp = req["headers"]["X-Whistle-Timestamp"]
    expected = hmac.new(b"s3cret", stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    assert req["headers"]["X-Whistle-Signature"] == f"sha256={expected}"


async def test_a_webhook_refusal_is_permanent_and_a_server_error_is_worth_retrying(receiver):
    receiver.script = [(400, "bad"), (503, "busy")]
    async with httpx.AsyncClient() as client:
        channel = WebhookChannel(client, secret="k")
        with pytest.raises(DeliveryError) as refused:
            await channel.send(note("webhook", receiver.url))
        with pytest.raises(DeliveryError) as busy:
            await channel.send(note("webhook", receiver.url))
    assert refused.value.permanent and not busy.value.permanent


async def test_the_wecom_robot_gets_a_markdown_message_and_its_errcode_is_checked(receiver):
    receiver.script = [(200, '{"errcode": 0, "errmsg": "ok"}'), (200, '{"errcode": 93000, "errmsg": "invalid"}')]
    async with httpx.AsyncClient() as client:
        robot = WeComRobot(client)
        await robot.send(note("wecom", receiver.url + "/cgi-bin/webhook/send?key=abc"))
        with pytest.raises(DeliveryError) as failed:
            await robot.send(note("wecom", receiver.url + "/cgi-bin/webhook/send?key=abc"))
    body = json.loads(receiver.requests[0]["body"])
    assert body["msgtype"] == "markdown" and body["markdown"]["content"].startswith("### 【吹哨】诉求响应时限临近")
    assert "key=abc" in receiver.requests[0]["path"]
    assert failed.value.permanent


async def test_the_dingtalk_robot_signs_with_timestamp_and_secret(receiver):
    async with httpx.AsyncClient() as client:
        await DingTalkRobot(client, secret="SECabc").send(note("dingtalk", receiver.url + "/robot/send?access_token=t"))
    req = receiver.requests[0]
    query = parse_qs(urlparse(req["path"]).query)
    stamp = query["timestamp"][0]
    digest = hmac.new(b"SECabc", f"{stamp}\nSECabc".encode(), hashlib.sha256).digest()
    assert query["sign"][0] == base64.b64encode(digest).decode()
    body = json.loads(req["body"])
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "【吹哨】诉求响应时限临近"


async def test_the_sms_gateway_request_follows_the_configured_template(receiver):
    template = '{"mobile": "{phone}", "msg": "{text}", "sign": "吹哨"}'
    async with httpx.AsyncClient() as client:
        gateway = SmsGateway(client, url=receiver.url + "/sms/send?ref={notification_id}", body_template=template,
                             headers={"X-Api-Key": "k1"})
        await gateway.send(note("sms", "13800138000"))
    req = receiver.requests[0]
    body = json.loads(req["body"])
    assert body == {"mobile": "13800138000", "msg": "【吹哨】诉求响应时限临近：案件 c1 的响应时限将于 03月03日 10:30 到期，请尽快处理。",
                    "sign": "吹哨"}
    assert req["path"] == "/sms/send?ref=n-1" and req["headers"]["X-Api-Key"] == "k1"


async def test_without_a_gateway_sms_fails_permanently():
    async with httpx.AsyncClient() as client:
        with pytest.raises(DeliveryError) as failed:
            await SmsGateway(client, url=None).send(note("sms", "13800138000"))
    assert failed.value.permanent


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_email_goes_out_over_smtp_with_a_chinese_subject():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    await asyncio.to_thread(controller.start)
    try:
        channel = EmailChannel(host="127.0.0.1", port=port, sender="whistle@example.org")
        await channel.send(note("email", "wang@example.org"))
    finally:
        await asyncio.to_thread(controller.stop)
    [raw] = inbox.messages
    msg = message_from_bytes(raw)
    assert str(make_header(decode_header(msg["Subject"]))) == "【吹哨】诉求响应时限临近"
    assert msg["To"] == "wang@example.org" and msg["Message-ID"] == "<n-1@whistle>"
    assert "请尽快处理" in msg.get_payload(decode=True).decode("utf-8")


async def test_an_unreachable_smtp_server_is_a_retryable_failure():
    channel = EmailChannel(host="127.0.0.1", port=free_port(), sender="whistle@example.org", timeout_s=2)
    with pytest.raises(DeliveryError) as failed:
        await channel.send(note("email", "wang@example.org"))
    assert not failed.value.permanent
