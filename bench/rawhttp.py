"""A minimal HTTP/1.1 keep-alive client for the load generator: pre-encoded requests, a connection pool.

httpx spends more CPU per request than a small FastAPI endpoint does; on two cores a heavy client would
take the server's CPU and hide its limit, so the generator writes bytes and parses only the status line
and the headers it needs.
"""

from __future__ import annotations

import asyncio
import socket
import time


def encode_request(method: str, host: str, path: str, body: bytes | None = None,
                   headers: dict[str, str] | None = None) -> bytes:
    """One HTTP/1.1 request, ready to write."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive", "Accept: application/json"]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b"")


class Connection:
    """One keep-alive TCP connection exchanging one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.idle_since = time.monotonic()

    async def exchange(self, request: bytes) -> tuple[int, bytes, bool]:
        """Send the request; return status, body and whether the connection can be reused."""
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length, chunked, reusable = 0, False, True
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            key = name.strip().lower()
            if key == b"content-length":
                length = int(value)
            elif key == b"transfer-encoding":
                chunked = b"chunked" in value.lower()
            elif key == b"connection":
                reusable = value.strip().lower() != b"close"
        body = await self._chunked() if chunked else await self.reader.readexactly(length)
        return status, body, reusable

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await self.reader.readexactly(size + 2)
            if size == 0:
                return b"".join(parts)
            parts.append(chunk[:-2])

    def close(self) -> None:
        """Drop the connection."""
        self.writer.close()


class Pool:
    """Idle keep-alive connections to one host; at most `limit` open at once (later requests wait).

    A connection idle for longer than `max_idle_s` is closed rather than reused: uvicorn closes idle
    keep-alive connections after 5 s, and a request written into one it is closing would fail although
    the server never saw it.
    """

    def __init__(self, host: str, port: int, limit: int, max_idle_s: float = 3.0) -> None:
        self.host, self.port, self.max_idle_s = host, port, max_idle_s
        self._idle: list[Connection] = []
        self._slots = asyncio.Semaphore(limit)
        self.opened = 0

    async def acquire(self) -> Connection:
        """An idle connection, or a new one."""
        await self._slots.acquire()
        while self._idle:
            conn = self._idle.pop()
            if time.monotonic() - conn.idle_since < self.max_idle_s:
                return conn
            conn.close()
        try:
            reader, writer = await asyncio.open_connection(self.host, self.port)
        except BaseException:
            self._slots.release()
            raise
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.opened += 1
        return Connection(reader, writer)

    def release(self, conn: Connection, *, reusable: bool) -> None:
        """Give the connection back (or close it when its state is unknown)."""
        if reusable:
            conn.idle_since = time.monotonic()
            self._idle.append(conn)
        else:
            conn.close()
        self._slots.release()

    def close(self) -> None:
        """Close every idle connection."""
        for conn in self._idle:
            conn.close()
        self._idle.clear()
