"""GeoReport v2 POST parameters the resident API has no field for: media_url, email, device_id, account_id.

media_url is public (shown as `media_url` in GET responses); email, device_id and account_id identify the
person, so they join the encrypted contact (never in GET responses or events, erased by retention).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from intake.adapters.crypto import ContactCipher
from intake.domain.model import IntakeRequest
from intake.open311.formats import Open311Error

MAX_URL = 2000
MAX_ID = 200
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$")


@dataclass(frozen=True)
class Extras:
    """The four parameters, checked."""

    media_url: str | None = None
    email: str | None = None
    device_id: str | None = None
    account_id: str | None = None

    def private(self) -> dict[str, str]:
        """The ones that identify the person (stored only inside the encrypted contact)."""
        pairs = (("email", self.email), ("device_id", self.device_id), ("account_id", self.account_id))
        return {k: v for k, v in pairs if v}

    def __bool__(self) -> bool:
        return bool(self.media_url or self.private())


def _plain(value: str) -> bool:
    return not any(unicodedata.category(ch)[0] in ("C", "Z") and ch != " " for ch in value)


def _media_url(raw: str) -> str | None:
    if not raw:
        return None
    parts = urlsplit(raw)
    if (len(raw) > MAX_URL or parts.scheme.lower() not in ("http", "https") or not parts.hostname
            or parts.username is not None or not _plain(raw) or " " in raw):
        raise Open311Error(400, f"media_url must be an http or https URL of at most {MAX_URL} characters "
                                "without credentials / media_url 应为 http 或 https 链接")
    return raw


def _email(raw: str) -> str | None:
    if not raw:
        return None
    if len(raw) > 254 or not EMAIL.match(raw) or not _plain(raw):
        raise Open311Error(400, "email is not a valid e-mail address / email 格式不正确")
    return raw


def _identifier(raw: str, name: str) -> str | None:
    if not raw:
        return None
    if len(raw) > MAX_ID or not _plain(raw):
        raise Open311Error(400, f"{name} must be at most {MAX_ID} printable characters / {name} 格式不正确")
    return raw


def read_extras(params: Mapping[str, str]) -> Extras:
    """The four parameters from a POST, each checked; Open311Error 400 naming the first bad one."""
    def get(name: str) -> str:
        return (params.get(name) or "").strip()

    return Extras(media_url=_media_url(get("media_url")), email=_email(get("email")),
                  device_id=_identifier(get("device_id"), "device_id"),
                  account_id=_identifier(get("account_id"), "account_id"))


def enricher(cipher: ContactCipher, extras: Extras) -> Callable[[IntakeRequest], None]:
    """What `Intake.submit(enrich=…)` applies before storing: media_url in clear, the rest into the contact."""
    def enrich(req: IntakeRequest) -> None:
        req.media_url = extras.media_url or req.media_url
        private = extras.private()
        if private:
            contact = cipher.decrypt(req.contact_enc) if req.contact_enc else {}
            req.contact_enc = cipher.encrypt({**contact, **private})

    return enrich
