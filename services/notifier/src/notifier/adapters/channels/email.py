"""E-mail over SMTP (stdlib smtplib in a worker thread), UTF-8 subject and body."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage

from notifier.adapters.channels.base import DeliveryError
from notifier.domain.notifications import Notification


class EmailChannel:
    """Sends through one SMTP relay."""

    name = "email"

    def __init__(self, *, host: str, port: int, sender: str, starttls: bool = False, user: str | None = None,
                 password: str | None = None, timeout_s: float = 10.0) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._starttls, self._user, self._password, self._timeout = starttls, user, password, timeout_s

    def _message(self, n: Notification) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self._sender
        msg["To"] = n.endpoint.address
        msg["Subject"] = n.title
        msg["Message-ID"] = f"<{n.notification_id}@whistle>"  # receivers can drop a re-sent duplicate
        msg.set_content(n.text + (f"\n\n案件：{n.case_id}" if n.case_id else ""))
        return msg

    def _send_blocking(self, msg: EmailMessage) -> None:
        with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
            if self._starttls:
                smtp.starttls()
            if self._user:
                smtp.login(self._user, self._password or "")
            smtp.send_message(msg)

    async def send(self, notification: Notification) -> None:
        """Deliver once; a 5xx refusal of the recipient is permanent, anything else may pass later."""
        try:
            await asyncio.to_thread(self._send_blocking, self._message(notification))
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc.recipients}"[:300], permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}"[:300]) from exc
