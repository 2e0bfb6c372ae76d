"""Staff passwords hashed with Argon2id; `python -m servicekit.auth.passwords` prints a hash."""

from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile


@lru_cache(maxsize=1)
def _dummy() -> str:
    """Verified against when the user does not exist, so a wrong user name costs as long as a wrong password."""
    return _HASHER.hash("whistle-no-such-user")


def hash_password(password: str) -> str:
    """An Argon2id hash string (salt and parameters included)."""
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches `stored`; a missing or unreadable hash never matches (same cost)."""
    try:
        return _HASHER.verify(stored or _dummy(), password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def is_password_hash(value: str) -> bool:
    """True for an Argon2 hash string (users files must never hold clear passwords)."""
    return value.startswith("$argon2")


def main() -> None:
    """Read a password (twice, not echoed) and print its hash for a users file."""
    import getpass
    import sys

    if not sys.stdin.isatty():
        print(hash_password(sys.stdin.readline().rstrip("\n")))
        return
    first, second = getpass.getpass("password: "), getpass.getpass("again: ")
    if first != second or not first:
        sys.exit("passwords differ or are empty")
    print(hash_password(first))


if __name__ == "__main__":
    main()
