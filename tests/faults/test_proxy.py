"""The fault proxy forwards bytes both ways, cuts connections, refuses new ones and keeps order under latency."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
from faultkit.proxy import TcpProxy


@pytest.fixture
async def echo_proxy() -> AsyncIterator[TcpProxy]:
    """An echo server behind a proxy."""
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError):
            while data := await reader.read(4096):
                writer.write(data)
                await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    proxy = TcpProxy("127.0.0.1", server.sockets[0].getsockname()[1])
    proxy.start()
    yield proxy
    proxy.stop()
    server.close()


async def _connect(proxy: TcpProxy) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", proxy.port)


async def test_bytes_go_through_both_ways(echo_proxy: TcpProxy):
    reader, writer = await _connect(echo_proxy)
    writer.write("诉求 hello".encode())
    assert await reader.readexactly(len("诉求 hello".encode())) == "诉求 hello".encode()
    writer.close()


async def test_a_cut_closes_open_connections(echo_proxy: TcpProxy):
    reader, writer = await _connect(echo_proxy)
    writer.write(b"ping")
    await reader.readexactly(4)
    assert echo_proxy.cut() == 1
    with contextlib.suppress(ConnectionError):
        assert await asyncio.wait_for(reader.read(10), timeout=5) == b""
    writer.close()


async def test_while_refusing_a_new_connection_is_closed_at_once(echo_proxy: TcpProxy):
    echo_proxy.refuse(True)
    reader, writer = await _connect(echo_proxy)
    with contextlib.suppress(ConnectionError):
        writer.write(b"ping")
        assert await asyncio.wait_for(reader.read(10), timeout=5) == b""
    writer.close()
    echo_proxy.refuse(False)
    reader, writer = await _connect(echo_proxy)
    writer.write(b"pong")
    assert await reader.readexactly(4) == b"pong"
    writer.close()


async def test_latency_keeps_every_byte_in_order(echo_proxy: TcpProxy):
    echo_proxy.set_latency(0.02)
    reader, writer = await _connect(echo_proxy)
    chunks = [f"{n:04d}".encode() for n in range(50)]
    for chunk in chunks:
        writer.write(chunk)
        await writer.drain()
    assert await asyncio.wait_for(reader.readexactly(200), timeout=20) == b"".join(chunks)
    writer.close()
