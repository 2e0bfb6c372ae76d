"""Passwords (Argon2id), department API keys (peppered digests, rotation) and secrets outside dev mode."""

import subprocess
import sys

import pytest

from servicekit.auth.apikeys import DEV_PEPPER, ApiKeyInvalid, ApiKeyRing, hash_api_key, new_api_key
from servicekit.auth.envsecrets import MissingSecret, refuse_public, resolve_secret
from servicekit.auth.keys import KeyInvalid, dev_key_setting, dev_signing_key, jwks, parse_signing_keys
from servicekit.auth.passwords import hash_password, is_password_hash, verify_password


def test_passwords_are_argon2id_and_only_the_right_one_matches() -> None:
    stored = hash_password("长城-2026!")
    assert stored.startswith("$argon2id$") and is_password_hash(stored) and "长城" not in stored
    assert verify_password(stored, "长城-2026!")
    assert not verify_password(stored, "长城-2027!")
    assert not verify_password(None, "anything") and not verify_password("plain-text", "plain-text")


def test_api_keys_are_looked_up_by_digest_and_rotate_with_two_valid_at_once() -> None:
    pepper = "pepper-" + "x" * 20
    old, new = new_api_key("huanwei"), new_api_key("huanwei")
    ring = ApiKeyRing({"huanwei": [hash_api_key(new, pepper), hash_api_key(old, pepper)],
                       "xiaofang": hash_api_key("xf-key", pepper)}, pepper=pepper, allow_clear=False)
    assert ring.department_of(old) == ring.department_of(new) == "huanwei"
    assert ring.department_of("xf-key") == "xiaofang"
    assert ring.department_of(old + "x") is None and ring.department_of("") is None
    assert ApiKeyRing({"huanwei": hash_api_key(old, "another pepper")}, pepper=pepper,
                      allow_clear=False).department_of(old) is None


def test_clear_keys_are_accepted_in_dev_mode_only() -> None:
    assert ApiKeyRing({"huanwei": "dev-dept-huanwei"}, pepper=DEV_PEPPER, allow_clear=True).department_of(
        "dev-dept-huanwei") == "huanwei"
    with pytest.raises(ApiKeyInvalid, match="huanwei: a key is given in clear"):
        ApiKeyRing({"huanwei": "dev-dept-huanwei"}, pepper="p", allow_clear=False)
    with pytest.raises(ApiKeyInvalid, match="malformed"):
        ApiKeyRing({"huanwei": "hmac-sha256:abc"}, pepper="p", allow_clear=False)


def test_a_secret_outside_dev_mode_must_be_set_and_not_the_public_value() -> None:
    assert resolve_secret(None, name="X_KEY", dev_default="dev", dev_mode=True) == "dev"
    assert resolve_secret("real", name="X_KEY", dev_default="dev", dev_mode=False) == "real"
    with pytest.raises(MissingSecret, match="X_KEY is not set"):
        resolve_secret(None, name="X_KEY", dev_default="dev", dev_mode=False)
    with pytest.raises(MissingSecret, match="X_KEY still has the public development value"):
        resolve_secret("dev", name="X_KEY", dev_default="dev", dev_mode=False)
    with pytest.raises(MissingSecret, match="Y_SECRET"):
        refuse_public("whistle-dev-secret", name="Y_SECRET", dev_mode=False, public_values=["whistle-dev-secret"])
    refuse_public("whistle-dev-secret", name="Y_SECRET", dev_mode=True, public_values=["whistle-dev-secret"])


def test_signing_keys_parse_and_publish_only_public_halves() -> None:
    keys = parse_signing_keys(f"{dev_key_setting()}, second:{'A' * 43}")
    assert [k.kid for k in keys] == ["whistle-dev-1", "second"]
    assert keys[0].public_jwk() == dev_signing_key().public_jwk()
    document = jwks(keys)
    assert all(set(k) == {"kty", "crv", "x", "kid", "use", "alg"} for k in document["keys"])
    for bad in ("", "no-colon", "k:!!!", "k:QUJD"):
        with pytest.raises(KeyInvalid):
            parse_signing_keys(bad)


def test_the_command_line_helpers_print_a_hash_and_a_key() -> None:
    run = lambda *a, **kw: subprocess.run([sys.executable, "-m", *a], capture_output=True, text=True, check=True,  # noqa: E731
                                          timeout=60, **kw)
    assert run("servicekit.auth.passwords", input="secret\n").stdout.startswith("$argon2id$")
    out = run("servicekit.auth.apikeys", "new", "huanwei", env={"ROUTER_API_KEY_PEPPER": "p", "PATH": ""}).stdout
    key = out.splitlines()[0].rsplit(": ", 1)[1]
    assert key.startswith("wdk_huanwei_") and hash_api_key(key, "p") in out
    assert ":" in run("servicekit.auth.keys", "k9").stdout
