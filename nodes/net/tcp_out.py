"""tcp-out: write messages to TCP connections: as a client, to the clients of a port it
listens on, or back on the connection a message came from."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import (
    MISSING,
    Confirmation,
    ConnectionLost,
    Message,
    NodeConfig,
    NodeError,
    NotConnected,
    Sink,
    field,
)

from .net_payload import payload_bytes
from .tcp_in import connections_text
from .tcp_sessions import every_session, session


class TcpOut(Sink):
    """Send `msg.payload` over TCP: reply on the connection a message came from, connect to
    a server, or listen for clients and send to all of them.

    ### Inputs

    - `payload`: bytes are written as they are; text as UTF-8 (or decoded from base64 with
      `base64: true`); anything else as its text (`42`, `true`, `[object Object]`).
    - `_session` (`mode: reply`): the connection to answer on, as tcp-in gives it. Without
      it the payload goes to every connection tcp-in has open.
    - `reset` (`mode: reply`): `true` closes the connection instead of writing to it.

    ### Details

    `mode: reply` answers tcp-in's connections; a message whose connection has closed is
    dropped with a warning. `mode: connect` connects to `host:port` when the flow starts and
    writes each message on that connection; while it is down the messages wait (up to
    `buffer`) and are written once it is back (Node-RED drops them). `mode: listen` accepts
    clients on `port` (bound to `bind`, 127.0.0.1 unless set) and writes each message to every
    client connected at the time. `close_after_send` closes the connection (each client's, when
    listening) after each message, for servers that read until the connection closes.

    ```yaml
    to_printer:
      type: tcp-out
      mode: connect
      host: printer.local
      port: 9100
    ```
    """

    type = "tcp-out"
    icon = "plug"

    class Config(NodeConfig):
        mode: Literal["reply", "connect", "listen"] = field(
            "reply", description="`reply` on the connection of `msg._session`, `connect` to a "
            "server, or `listen` for clients and write to all of them.",
        )
        host: str | None = field(
            None, description="The server to connect to (`mode: connect`).",
            examples=["printer.local"],
        )
        port: int | None = field(
            None, ge=1, le=65535, description="The port to connect to or listen on.",
            examples=[9100],
        )
        bind: str = field(
            "127.0.0.1", description="The address to listen on (`mode: listen`).",
            examples=["0.0.0.0"],
        )
        base64: bool = field(False, description="Decode a text payload from base64 first.")
        close_after_send: bool = field(
            False, description="Close the connection after each message (`connect`, `listen`)."
        )

        @model_validator(mode="after")
        def _address(self) -> TcpOut.Config:
            if self.mode == "connect" and not (self.host and self.port):
                raise ValueError("mode: connect needs a host and a port")
            if self.mode == "listen" and not self.port:
                raise ValueError("mode: listen needs a port")
            return self

    config: Config

    @classmethod
    def confirms(cls, config: Any) -> Confirmation:
        return Confirmation(
            False, reason="TCP has no acknowledgement of what the other side read: a write "
            "returns once the data is handed to the operating system",
            fix="Have the other side answer, and check the answers (tcp-request)",
        )

    async def start(self) -> None:
        self._writer: asyncio.StreamWriter | None = None
        self._server: asyncio.Server | None = None
        self._clients: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()
        self._reported = False
        if self.config.mode == "connect":
            with contextlib.suppress(NotConnected):
                await self._connect()
        elif self.config.mode == "listen":
            self.ctx.status(None, None, connections_text(0))
            with contextlib.suppress(NotConnected):
                await self._listen()

    # -- connect ----------------------------------------------------------------------------

    async def _connect(self) -> asyncio.StreamWriter:
        if self._writer is not None and not self._writer.is_closing():
            return self._writer
        c = self.config
        self.ctx.status("grey", "dot", "connecting")
        try:
            reader, writer = await asyncio.open_connection(c.host, c.port)
        except OSError as exc:
            self.ctx.status("red", "ring", "disconnected")
            raise NotConnected(f"cannot connect to {c.host}:{c.port}: "
                               f"{exc.strerror or exc}") from exc
        self.ctx.status("green", "dot", "connected")
        self._writer = writer
        self._watch(self._until_closed(reader, writer))
        return writer

    async def _until_closed(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                            ) -> None:
        """Read (and ignore) what the server sends, to see when it closes the connection."""
        with contextlib.suppress(OSError):
            while await reader.read(65536):
                pass
        writer.close()
        if self._writer is writer:
            self._writer = None
            self.ctx.status("red", "ring", "disconnected")

    def _watch(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- listen -----------------------------------------------------------------------------

    async def _listen(self) -> None:
        if self._server is not None:
            return
        c = self.config
        try:
            self._server = await asyncio.start_server(self._accepted, c.bind, c.port)
        except OSError as exc:
            text = f"cannot listen on {c.bind}:{c.port}: {exc.strerror or exc}"
            if not self._reported:
                self._reported = True
                self.ctx.error(NodeError(text), {"_msgid": self.ctx.new_msgid()})
            raise NotConnected(text) from exc

    async def _accepted(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
                        ) -> None:
        self._clients.add(writer)
        self.ctx.status(None, None, connections_text(len(self._clients)))
        try:
            with contextlib.suppress(OSError):
                while await reader.read(65536):
                    pass
        finally:
            self._clients.discard(writer)
            writer.close()
            if self._server is not None:
                self.ctx.status(None, None, connections_text(len(self._clients)))

    # -- writing ----------------------------------------------------------------------------

    async def write(self, batch: list[Message]) -> None:
        for msg in batch:
            mode = self.config.mode
            if mode == "reply":
                await self._reply(msg)
            elif msg.get("payload") is not None:
                data = payload_bytes(msg["payload"], self.config.base64)
                if mode == "connect":
                    await self._send(data)
                else:
                    await self._listen()
                    await self._broadcast(data)

    async def _send(self, data: bytes) -> None:
        writer = await self._connect()
        try:
            writer.write(data)
            await writer.drain()
        except OSError as exc:
            writer.close()
            self._writer = None
            raise ConnectionLost(f"writing to {self.config.host}:{self.config.port}: "
                                 f"{exc}") from exc
        if self.config.close_after_send:
            writer.close()
            self._writer = None
            self.ctx.status(None, None, "")

    async def _broadcast(self, data: bytes) -> None:
        for writer in list(self._clients):
            await _write_or_drop(writer, data, self.config.close_after_send)

    async def _reply(self, msg: Message) -> None:
        given = msg.get("_session")
        reset = msg.get("reset") is True
        if isinstance(given, dict) and given.get("type") == "tcp":
            writer = session(given.get("id"))
            if writer is None:
                self.ctx.warn(f"the connection of session {given.get('id')} has closed: "
                              "the reply is dropped", msg)
                return
            writers = [writer]
        else:
            writers = every_session()
        data = b"" if reset else payload_bytes(msg.get("payload", MISSING), self.config.base64)
        for writer in writers:
            if reset:
                writer.close()
            else:
                await _write_or_drop(writer, data, False)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in [*self._clients, *([self._writer] if self._writer else [])]:
            writer.close()
        for task in list(self._tasks):
            task.cancel()


async def _write_or_drop(writer: asyncio.StreamWriter, data: bytes, close: bool) -> None:
    """Write to a client connection; one that has gone is left to its reader to forget."""
    with contextlib.suppress(OSError):
        writer.write(data)
        await writer.drain()
    if close:
        writer.close()
