"""The channels a deployment configures, built from its settings."""

from __future__ import annotations

import httpx

from notifier.adapters.channels.base import Channel
from notifier.adapters.channels.email import EmailChannel
from notifier.adapters.channels.robots import DingTalkRobot, WeComRobot
from notifier.adapters.channels.sms import SmsGateway
from notifier.adapters.channels.webhook import WebhookChannel
from notifier.config import NotifierSettings


def build_channels(settings: NotifierSettings, client: httpx.AsyncClient) -> dict[str, Channel]:
    """Every channel by name; SMS without a gateway URL fails each message permanently (dead-letter)."""
    return {
        "webhook": WebhookChannel(client, secret=settings.webhook_secret),
        "email": EmailChannel(host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_from,
                              starttls=settings.smtp_starttls, user=settings.smtp_user,
                              password=settings.smtp_password, timeout_s=settings.http_timeout_s),
        "wecom": WeComRobot(client),
        "dingtalk": DingTalkRobot(client, secret=settings.dingtalk_secret),
        "sms": SmsGateway(client, url=settings.sms_url, method=settings.sms_method,
                          body_template=settings.sms_body_template, headers=settings.sms_headers),
    }
