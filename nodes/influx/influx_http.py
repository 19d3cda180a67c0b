"""A small HTTP/1.1 client for the 1.x API's writes over plain TCP, on asyncio streams.

A write is one request with a body of line protocol and, from InfluxDB, a 204 with no body.
httpx spends about 1.2 ms of CPU on each such request (its client, transport and connection
pool layers, on 2 shared cores), and influx-out writes a batch whenever the flow has nothing
more at hand, often a request every few dozen messages: that was about a tenth of the
pipeline's CPU. Here a request is a few writes to a kept-alive socket and a status line and
headers read back, about 0.15 ms.

What it does not do it leaves to httpx: ``https://`` URLs, and a proxy named in the
environment (``http_proxy``, which httpx honours) for the server's host. Queries stay on
httpx. The answer is read as HTTP/1.1 gives it: a ``Content-Length`` body, a chunked one, or
one that ends with the connection; the connection is kept unless the server says
``Connection: close`` or the body ran to its end.

Failures are the ones httpx raises, so the API maps them as before: no connection is
``ConnectError`` (the server is away), a request that breaks or takes longer than
``timeout`` is a ``TransportError`` (the write is retried by the engine: writing the same
points again is harmless, one series and time hold one value). A kept-alive connection that
the server closed while it was idle fails at its first use: the request goes once more on a
new connection at once, as a pool does.
"""

from __future__ import annotations

import asyncio
import base64
import urllib.request
from urllib.parse import urlencode, urlsplit

KEPT = 4
"""Most idle connections kept (one for each node writing at the same time)."""
_NO_BODY = (204, 304)
_BROKEN = (OSError, EOFError, ValueError, TimeoutError)
"""A connection that failed under a request (a short read is an EOFError, an answer that is
not HTTP a ValueError)."""


class PlainHttp:
    """Requests to one ``http://`` server; safe to share between the nodes of one loop."""

    def __init__(self, url: str, auth: tuple[str, str] | None, timeout: float) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "localhost"
        self.port = parts.port or 80
        self.prefix = parts.path.rstrip("/")
        self.timeout = timeout
        head = f"Host: {parts.netloc.rpartition('@')[2]}\r\n"
        if auth is not None:
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
            head += f"Authorization: Basic {token}\r\n"
        self._head = head.encode("latin-1")
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    @staticmethod
    def serves(url: str) -> bool:
        """Whether a URL is one for this client: ``http://``, with no proxy for its host."""
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            return False
        return not urllib.request.getproxies().get("http") or bool(
            urllib.request.proxy_bypass(parts.hostname)
        )

    async def post(
        self, path: str, params: dict[str, str], body: bytes, content_type: str
    ) -> tuple[int, str]:
        """POST ``body``; the status and the answer's text."""
        import httpx

        target = f"{self.prefix}{path}?{urlencode(params)}"
        request = (
            f"POST {target} HTTP/1.1\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n".encode("latin-1")
            + self._head
            + b"\r\n"
            + body
        )
        while True:
            reused = bool(self._idle)
            if reused:
                reader, writer = self._idle.pop()
            else:
                try:
                    async with asyncio.timeout(self.timeout):
                        reader, writer = await asyncio.open_connection(self.host, self.port)
                except (OSError, TimeoutError) as exc:
                    raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
            try:
                async with asyncio.timeout(self.timeout):
                    writer.write(request)
                    status, text, keep = await _answer(reader)
            except _BROKEN as exc:
                writer.close()
                if reused and not isinstance(exc, TimeoutError):
                    continue  # closed by the server while idle: once more, on a new one
                reason = "timed out" if isinstance(exc, TimeoutError) else str(exc)
                raise httpx.ReadError(reason or type(exc).__name__) from exc
            except BaseException:
                writer.close()
                raise
            if keep and len(self._idle) < KEPT:
                self._idle.append((reader, writer))
            else:
                writer.close()
            return status, text

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for _, writer in idle:
            writer.close()


async def _answer(reader: asyncio.StreamReader) -> tuple[int, str, bool]:
    """Read one answer: its status, its body as text, and whether the connection is kept."""
    line = await reader.readline()
    if not line:
        raise EOFError("the server closed the connection")
    version, _, rest = line.decode("latin-1").partition(" ")
    status = int(rest[:3])
    length: int | None = None
    chunked = False
    keep = version == "HTTP/1.1"
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n"):
            break
        if not line:
            raise EOFError("the server closed the connection in the middle of an answer")
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "transfer-encoding":
            chunked = "chunked" in value
        elif name == "connection":
            keep = value != "close" if version == "HTTP/1.1" else value == "keep-alive"
    if status in _NO_BODY or 100 <= status < 200:
        body = b""
    elif chunked:
        body = await _chunks(reader)
    elif length is not None:
        body = await reader.readexactly(length)
    else:
        body, keep = await reader.read(), False
    return status, body.decode("utf-8", "replace"), keep


async def _chunks(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readline()).split(b";")[0].strip() or b"x", 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)
