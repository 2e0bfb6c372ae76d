"""The Open311 extras: checks of each parameter, and the second write that survives a concurrent change."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest

from intake.adapters.crypto import ContactCipher
from intake.config import DEV_CONTACT_KEY, DEV_STORAGE_KEY
from intake.domain.model import IntakeRequest
from intake.open311.extras import Extras, attach_extras, read_extras
from intake.open311.formats import Open311Error
from intake.open311.requests import full_name

CIPHER = ContactCipher(storage_keys=DEV_STORAGE_KEY, contact_keys=DEV_CONTACT_KEY)


class RacingRepo:
    """Keeps one request; the first `conflicts` saves lose to a concurrent writer (the version moves on)."""

    def __init__(self, req: IntakeRequest, conflicts: int) -> None:
        self.req, self.conflicts, self.saves = req, conflicts, 0

    async def get(self, request_id: str) -> IntakeRequest | None:
        return copy.deepcopy(self.req) if request_id == self.req.id else None

    async def save(self, req: IntakeRequest, *, expected_version: int, events: list) -> bool:
        self.saves += 1
        if self.conflicts:
            self.conflicts -= 1
            self.req.version += 1
            return False
        if expected_version != self.req.version:
            return False
        req.version = expected_version + 1
        self.req = copy.deepcopy(req)
        return True


def request(**changes: object) -> IntakeRequest:
    req = IntakeRequest(id="r1", tracking_code="WS-20261121-000001", token_hash="h", channel="open311",
                        compound_id="c1", community_id="m1", street_id=None, district_id=None, grid_id=None,
                        text="电梯停了", submitted_at=datetime(2026, 11, 21, tzinfo=UTC))
    for key, value in changes.items():
        setattr(req, key, value)
    return req


async def test_the_extras_join_the_encrypted_contact_after_a_concurrent_change():
    repo = RacingRepo(request(contact_enc=CIPHER.encrypt({"phone": "13812345678"})), conflicts=2)
    extras = Extras(media_url="https://img.example.cn/a.jpg", email="a@example.cn", device_id="dev-1")
    assert await attach_extras(repo, CIPHER, "r1", extras)
    assert repo.saves == 3 and repo.req.media_url == "https://img.example.cn/a.jpg"
    assert CIPHER.decrypt(repo.req.contact_enc) == {"phone": "13812345678", "email": "a@example.cn",
                                                     "device_id": "dev-1"}


async def test_a_request_that_keeps_changing_or_is_gone_reports_the_extras_lost():
    assert not await attach_extras(RacingRepo(request(), conflicts=99), CIPHER, "r1", Extras(email="a@example.cn"))
    assert not await attach_extras(RacingRepo(request(), conflicts=0), CIPHER, "r2", Extras(email="a@example.cn"))


def test_empty_parameters_are_no_extras_and_only_personal_ones_are_private():
    assert not read_extras({"media_url": " ", "email": ""})
    extras = read_extras({"media_url": "http://a.example.cn/x.png", "account_id": " u-1 "})
    assert extras and extras.private() == {"account_id": "u-1"}


@pytest.mark.parametrize(("name", "value"), [("media_url", "data:image/png;base64,AAAA"),
                                             ("media_url", "https://img.example.cn/a\n.jpg"),
                                             ("email", "@example.cn"), ("email", "a@@example.cn"),
                                             ("device_id", "tab\there")])
def test_bad_values_are_refused_naming_the_parameter(name, value):
    with pytest.raises(Open311Error) as refused:
        read_extras({name: value})
    assert refused.value.status == 400 and name in refused.value.description


def test_chinese_names_put_the_family_name_first_latin_ones_the_given_name():
    assert full_name("芳", "王") == "王芳"
    assert full_name("Fang", "Wang") == "Fang Wang"
    assert full_name("Fang", "王") == "王Fang"
    assert full_name(" ", None) is None
