"""Rate limiter windows and compound token signing, rotation and revocation."""

import pytest

from intake.adapters.qrtoken import CompoundTokens, TokenRejected
from intake.adapters.ratelimit import RateLimiter


def test_the_window_slides():
    limiter = RateLimiter(2, 60)
    for t in (0, 1):
        assert limiter.wait("k", t) == 0
        limiter.hit("k", t)
    assert limiter.wait("k", 2) == 58
    assert limiter.wait("other", 2) == 0
    assert limiter.wait("k", 60.5) == 0


def test_rotation_keeps_old_tokens_valid_until_the_old_key_is_removed():
    old = CompoundTokens("k1:one").sign("c1")
    rotated = CompoundTokens("k2:two,k1:one")
    assert rotated.verify(old) == "c1"
    assert rotated.sign("c1").split(".")[1] == "k2"
    with pytest.raises(TokenRejected) as exc:
        CompoundTokens("k2:two").verify(old)
    assert exc.value.reason == "revoked"
    with pytest.raises(TokenRejected) as exc:
        CompoundTokens("k2:two,k1:one", revoked="k1").verify(old)
    assert exc.value.reason == "revoked"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "YzE.k1.AAAAAAAAAAAAAAAAAAAAAA", "!!.k1.x"])
def test_malformed_or_forged_tokens_are_refused(token):
    with pytest.raises(TokenRejected) as exc:
        CompoundTokens("k1:one").verify(token)
    assert exc.value.reason == "forged"
