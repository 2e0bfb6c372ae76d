"""The Open311 extras: checks of each parameter, and what they add to the request before it is stored."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from intake.adapters.crypto import ContactCipher
from intake.config import DEV_CONTACT_KEY, DEV_STORAGE_KEY
from intake.domain.model import IntakeRequest
from intake.open311.extras import Extras, enricher, read_extras
from intake.open311.formats import Open311Error
from intake.open311.requests import full_name

CIPHER = ContactCipher(storage_keys=DEV_STORAGE_KEY, contact_keys=DEV_CONTACT_KEY)


def request(**changes: object) -> IntakeRequest:
    req = IntakeRequest(id="r1", tracking_code="WS-20261121-000001", token_hash="h", channel="open311",
                        compound_id="c1", community_id="m1", street_id=None, district_id=None, grid_id=None,
                        text="电梯停了", submitted_at=datetime(2026, 11, 21, tzinfo=UTC))
    for key, value in changes.items():
        setattr(req, key, value)
    return req


def test_the_extras_join_the_encrypted_contact_and_media_url_stays_in_clear():
    req = request(contact_enc=CIPHER.encrypt({"phone": "13812345678"}))
    extras = Extras(media_url="https://img.example.cn/a.jpg", email="a@example.cn", device_id="dev-1")
    enricher(CIPHER, extras)(req)
    assert req.media_url == "https://img.example.cn/a.jpg"
    assert CIPHER.decrypt(req.contact_enc) == {"phone": "13812345678", "email": "a@example.cn", "device_id": "dev-1"}


def test_a_request_without_a_phone_gets_a_contact_of_its_extras_only():
    req = request()
    enricher(CIPHER, Extras(account_id="u-9"))(req)
    assert req.media_url is None and CIPHER.decrypt(req.contact_enc) == {"account_id": "u-9"}


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
