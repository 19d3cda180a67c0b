"""tcp-in: messages from TCP connections, as a server listening on a port or as a client."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import (
    Ack,
    ConnectionLost,
    Message,
    NodeConfig,
    NodeError,
    NotConnected,
    Source,
    field,
    host_port,
)

from .net_payload import DataType
from .tcp_framing import Framer
from .tcp_sessions import close_session, open_session

IDLE_PAUSE = 10.0
"""The longest pause before connecting again to a server that keeps closing the connection at
once with nothing sent (Node-RED waits 10 s after any lost connection)."""

WAITING = 1000
"""Messages read but not yet taken by the flow; beyond this the connections are not read (TCP
then slows the senders down), so nothing is dropped."""


def connections_text(count: int) -> str:
    """Node-RED's status text for a number of connections."""
    return f"{count} connection" if count == 1 else f"{count} connections"


class TcpIn(Source):
    """Receive data over TCP: listen on a port, or connect to a server.

    ### Outputs

    - `payload`: the data, as bytes (`data_type: buffer`), text (`utf8`) or base64 text.
    - `topic`: the node's `topic`.
    - `ip`, `port` (listening only): the address of the client that sent it.
    - `_session` (`{type: "tcp", id}`): the connection it came on; a tcp-out node in `reply`
      mode writes its input back on that connection.

    ### Details

    `mode: listen` accepts connections on `port`, bound to `bind` (127.0.0.1 unless set: use
    `0.0.0.0` to accept other hosts, as Node-RED does). `mode: connect` connects to
    `host:port` and reconnects with back-off when the connection fails or closes (at once
    after a connection that sent something, as a device answering one reading per connection
    expects; after a pause growing to 10 s while the server closes connections at once with
    nothing sent).

    With `data_mode: stream` each chunk read is a message, or, for text with a `newline`
    delimiter, each delimited part (`keep_newline` puts the delimiter back on); what is left
    when the connection closes is a last message. With `data_mode: single` everything a
    connection sent is one message, when it closes.

    A port that cannot be listened on (in use, or not allowed) is an error for catch nodes;
    the node retries with back-off. The status shows the number of connections (listening) or
    whether it is connected.

    ```yaml
    lines:
      type: tcp-in
      port: 7000
      data_type: utf8
      newline: "\\n"
    ```
    """

    type = "tcp-in"
    icon = "plug"

    class Config(NodeConfig):
        mode: Literal["listen", "connect"] = field(
            "listen", description="`listen` on a port, or `connect` to a server."
        )
        port: int = field(ge=1, le=65535, description="The port to listen on or connect to.",
                          examples=[7000])
        host: str | None = field(
            None, description="The server to connect to (`mode: connect`).",
            examples=["device.local"],
        )
        bind: str = field(
            "127.0.0.1", description="The address to listen on (`mode: listen`): 127.0.0.1 "
            "accepts this host only, 0.0.0.0 every host.", examples=["0.0.0.0"],
        )
        data_mode: Literal["stream", "single"] = field(
            "stream", description="`stream`: a message per chunk (or per delimited part); "
            "`single`: one message per connection, when it closes.",
        )
        data_type: DataType = field(
            "buffer", description="The payload: `buffer` (bytes), `utf8` (text) or `base64`."
        )
        newline: str = field(
            "", description="With text in `stream` mode, split the data at this delimiter.",
            examples=["\n"],
        )
        keep_newline: bool = field(
            False, description="Put the delimiter back at the end of each part."
        )
        topic: str = field("", description="The topic of the messages.")

        @model_validator(mode="after")
        def _host(self) -> TcpIn.Config:
            if self.mode == "connect" and not self.host:
                raise ValueError("mode: connect needs a host")
            return self

    config: Config

    async def start(self) -> None:
        self._waiting: asyncio.Queue[Message | BaseException] = asyncio.Queue(WAITING)
        self._server: asyncio.Server | None = None
        self._readers: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._reported = False
        self._closing = False
        self._idle = 0
        """Connections in a row that the server closed within a second, sending nothing."""

    async def connect(self) -> None:
        if self.config.mode == "listen":
            await self._listen()
        else:
            await self._dial()

    async def _listen(self) -> None:
        if self._server is not None:
            return
        c = self.config
        try:
            self._server = await asyncio.start_server(self._accepted, c.bind, c.port)
        except OSError as exc:
            text = f"cannot listen on {c.bind}:{c.port}: {exc.strerror or exc}"
            if not self._reported:  # once, not at every retry
                self._reported = True
                self.ctx.error(NodeError(text), {"_msgid": self.ctx.new_msgid()})
            raise NotConnected(text) from exc
        self._reported = False
        self.ctx.log(f"listening on {c.bind}:{c.port}")

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                        ) -> None:
        peer = writer.get_extra_info("peername") or ("", 0)
        task = asyncio.current_task()
        if task is not None:
            self._readers.add(task)
        self._writers.add(writer)
        self.ctx.status(None, None, connections_text(len(self._writers)))
        try:
            await self._pump(reader, writer, {"ip": peer[0], "port": peer[1]})
        finally:
            self._writers.discard(writer)
            if task is not None:
                self._readers.discard(task)
            if not self._closing:
                self.ctx.status(None, None, connections_text(len(self._writers)))

    async def _dial(self) -> None:
        c = self.config
        if self._idle:  # a server that closes at once is not asked again and again at once
            await self.ctx.sleep(min(IDLE_PAUSE, 0.1 * 2.0**self._idle))
        self.ctx.status("grey", "dot", "connecting")
        try:
            reader, writer = await asyncio.open_connection(c.host, c.port)
        except OSError as exc:
            raise NotConnected(f"cannot connect to {c.host}:{c.port}: "
                               f"{exc.strerror or exc}") from exc
        self.ctx.status("green", "dot", "connected")
        self._writers.add(writer)
        task = asyncio.create_task(self._client(reader, writer))
        self._readers.add(task)
        task.add_done_callback(self._readers.discard)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        opened = self.ctx.now()
        read = 0
        try:
            read = await self._pump(reader, writer, {})
        finally:
            self._writers.discard(writer)
        idle = read == 0 and self.ctx.now() - opened < 1.0
        self._idle = self._idle + 1 if idle else 0
        if not self._closing:
            self.ctx.status("red", "ring", "disconnected")
            await self._waiting.put(ConnectionLost(
                f"{host_port(self.config.host or '', self.config.port)} closed the connection"))

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    peer: dict[str, Any]) -> int:
        """Read one connection into messages until it closes; the number of bytes read."""
        c = self.config
        framer = Framer(c.data_mode == "stream", c.data_type, c.newline, c.keep_newline)
        session = {"type": "tcp", "id": open_session(writer)}
        read = 0
        try:
            while True:
                try:
                    data = await reader.read(65536)
                except OSError as exc:
                    self.ctx.log(f"connection from {peer or c.host} failed: {exc}")
                    data = b""
                read += len(data)
                for payload in framer.feed(data) if data else framer.end():
                    await self._waiting.put(
                        {"topic": c.topic, "payload": payload, **peer, "_session": dict(session)})
                if not data:
                    return read
        finally:
            close_session(session["id"])
            writer.close()

    async def read(self) -> tuple[Message, Ack | None]:
        item = await self._waiting.get()
        if isinstance(item, BaseException):
            raise item
        return item, None

    async def close(self) -> None:
        self._closing = True
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        for task in list(self._readers):
            task.cancel()
        for task in list(self._readers):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._server is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5.0):
                    await self._server.wait_closed()
            self._server = None
