"""Department API keys: random keys shown once, stored only as peppered HMAC-SHA256 digests, several per department.

Keys are 256-bit random strings, so a keyed fast hash is enough (no dictionary to attack) and lets a
presented key be looked up by its digest without knowing the department first.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence

PREFIX = "hmac-sha256:"
DEV_PEPPER = "whistle-dev-api-key-pepper-not-safe"


class ApiKeyInvalid(ValueError):
    """A configured key entry is in clear outside dev mode, or malformed."""


def hash_api_key(key: str, pepper: str) -> str:
    """The stored form of a key."""
    return PREFIX + hmac.new(pepper.encode(), key.encode(), hashlib.sha256).hexdigest()


def new_api_key(dept_code: str) -> str:
    """A fresh key; the department code in it is only a hint for people."""
    return f"wdk_{dept_code}_{secrets.token_urlsafe(32)}"


class ApiKeyRing:
    """Digest → department; rotation is adding the new key's digest, handing it over, removing the old."""

    def __init__(self, entries: Mapping[str, str | Sequence[str]], *, pepper: str, allow_clear: bool) -> None:
        self._pepper = pepper
        self._by_digest: dict[str, str] = {}
        for dept, values in entries.items():
            for value in [values] if isinstance(values, str) else list(values):
                self._by_digest[self._digest_of(dept, value.strip(), allow_clear)] = dept

    def _digest_of(self, dept: str, value: str, allow_clear: bool) -> str:
        if value.startswith(PREFIX):
            if len(value) != len(PREFIX) + 64:
                raise ApiKeyInvalid(f"department {dept}: malformed key digest")
            return value
        if not allow_clear:
            raise ApiKeyInvalid(f"department {dept}: a key is given in clear; store its digest "
                                "(python -m servicekit.auth.apikeys hash)")
        return hash_api_key(value, self._pepper)

    def department_of(self, presented: str) -> str | None:
        """The department owning a presented key, or None."""
        digest = hash_api_key(presented, self._pepper)
        for known, dept in self._by_digest.items():
            if hmac.compare_digest(known, digest):
                return dept
        return None

    def departments(self) -> set[str]:
        """Departments with at least one key."""
        return set(self._by_digest.values())


def main() -> None:
    """`new DEPT` prints a key and its digest; `hash` reads a key on stdin. The pepper comes from $PEPPER_ENV."""
    import argparse
    import os
    import sys

    parser = argparse.ArgumentParser(prog="python -m servicekit.auth.apikeys")
    parser.add_argument("command", choices=("new", "hash"))
    parser.add_argument("dept", nargs="?")
    parser.add_argument("--pepper-env", default="ROUTER_API_KEY_PEPPER")
    args = parser.parse_args()
    pepper = os.environ.get(args.pepper_env)
    if not pepper:
        sys.exit(f"set {args.pepper_env} to the router's pepper first")
    if args.command == "new":
        if not args.dept:
            sys.exit("name the department code")
        key = new_api_key(args.dept)
        print(f"key (give it to the department, it is not stored): {key}")
        print(f"digest (for ROUTER_DEPARTMENT_KEYS): {hash_api_key(key, pepper)}")
    else:
        print(hash_api_key(sys.stdin.readline().strip(), pepper))


if __name__ == "__main__":
    main()
