"""A small TCP proxy on 127.0.0.1 that can cut its connections, refuse new ones and add latency."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from concurrent.futures import Future
from typing import Any


class TcpProxy:
    """Forwards 127.0.0.1:<port> to a target; runs its own event loop in a thread so any test can drive it."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.latency_s = 0.0
        self.refusing = False
        self.accepted = 0
        self.cuts = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="faults-proxy", daemon=True)
        self._server: asyncio.AbstractServer | None = None
        self._links: set[tuple[asyncio.StreamWriter, asyncio.StreamWriter]] = set()

    def start(self) -> int:
        """Listen on a free port and return it."""
        self._thread.start()
        self._call(self._listen()).result(timeout=10)
        return self.port

    def url(self, template: str) -> str:
        """An AMQP URL like `template` but pointing at this proxy."""
        scheme, rest = template.split("://", 1)
        creds = rest.split("@", 1)[0] + "@" if "@" in rest else ""
        path = rest.split("/", 1)[1] if "/" in rest else ""
        return f"{scheme}://{creds}127.0.0.1:{self.port}/{path}"

    def cut(self) -> int:
        """Abort every open connection in both directions (like a reset); returns how many were cut."""
        return int(self._call(self._cut_all()).result(timeout=10))

    def set_latency(self, seconds: float) -> None:
        """Delay every chunk forwarded in either direction by `seconds` (0 removes it)."""
        self.latency_s = seconds

    def refuse(self, refusing: bool) -> None:
        """While refusing, new connections are closed at once (a partition); existing ones are not touched."""
        self.refusing = refusing

    def stop(self) -> None:
        """Close everything and stop the loop."""
        if not self._thread.is_alive():
            return
        self._call(self._close()).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _call(self, coro: Any) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.refusing:
            _abort(writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            _abort(writer)
            return
        self.accepted += 1
        link = (writer, up_writer)
        self._links.add(link)
        try:
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        finally:
            self._links.discard(link)
            _abort(writer)
            _abort(up_writer)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Copy one direction; with latency, each chunk is released `latency_s` after it arrived, in order."""
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def release() -> None:
            while True:
                arrived, chunk = await queue.get()
                if not chunk:
                    break
                wait = arrived + self.latency_s - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                writer.write(chunk)
                await writer.drain()

        sender = asyncio.create_task(release())
        try:
            while chunk := await reader.read(65536):
                queue.put_nowait((time.monotonic(), chunk))
        except (ConnectionError, OSError):
            pass
        finally:
            queue.put_nowait((time.monotonic(), b""))
            with contextlib.suppress(ConnectionError, OSError, asyncio.CancelledError):
                await sender
            _abort(writer)

    async def _cut_all(self) -> int:
        links = list(self._links)
        for client, upstream in links:
            _abort(client)
            _abort(upstream)
        self.cuts += len(links)
        return len(links)

    async def _close(self) -> None:
        if self._server is not None:
            self._server.close()
        await self._cut_all()


def _abort(writer: asyncio.StreamWriter) -> None:
    transport = writer.transport
    if not transport.is_closing():
        transport.abort()
