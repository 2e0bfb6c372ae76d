"""An S3-compatible server for the photo-store tests: moto in server mode on a free loopback port."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

ACCESS_KEY, SECRET_KEY = "whistle-test-access", "whistle-test-secret"


@dataclass(frozen=True)
class S3Server:
    """The server's endpoint and a client to look behind intake's back."""

    endpoint_url: str
    client: Any

    def new_bucket(self) -> str:
        """A fresh private bucket."""
        name = f"photos-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str) -> list[str]:
        """The object keys in a bucket."""
        return [o["Key"] for o in self.client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's ThreadedMotoServer bound to 127.0.0.1 for the whole session: a real S3 HTTP round trip."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=ACCESS_KEY,
                          aws_secret_access_key=SECRET_KEY)
    try:
        yield S3Server(endpoint, client)
    finally:
        client.close()
        server.stop()
