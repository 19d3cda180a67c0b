"""websocket-client: a connection to a WebSocket server, shared by websocket-in and
websocket-out nodes."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import field_validator

from flowrt.api import Connection, ConnectionLost, NodeConfig, NotConnected, field

from .websocket_frames import Frame, new_session_id
from .websocket_hub import Hub, Status

MAX_FRAME = 16 * 1024 * 1024
QUIET = logging.getLogger("flowrt.websocket.client")
"""The client library's logger: never at debug level, where it writes each header of the
handshake, ``Authorization`` (the URL's login) included."""
QUIET.setLevel(logging.INFO)


class WebsocketClient(Connection):
    """A WebSocket server that flowrt connects to (`ws://` or `wss://`).

    ### Details

    One connection for all the nodes that name it. It is made when the first node starts and
    again after a loss: 3 s later (`reconnect_delay`, as Node-RED), then with back-off while
    the server stays away. The nodes show a yellow ring while connecting, `connected` (a green
    dot) when connected, a red ring when the server is away. With only websocket-out nodes, a
    lost connection is made again when the next message is to be sent.

    Every frame received carries `msg._session = {type: "websocket", id}`, the id of this
    connection (a new one after each reconnect). With `heartbeat`, flowrt pings the server
    every so many seconds; a ping not answered by the next one ends the connection, which is
    then made again.

    Messages sent while the connection is away wait in websocket-out's buffer (see its
    `buffer` and `overflow`) and are sent once it is back. A URL with a login
    (`wss://user:${WS_PASSWORD}@host/feed`) sends it as HTTP Basic authentication; logs and
    errors name the server without it.

    ```yaml
    connections:
      feed:
        type: websocket-client
        url: wss://stream.example.com/feed
        heartbeat: 30
    ```
    """

    type = "websocket-client"

    class Config(NodeConfig):
        url: str = field(
            description="The server's address, `ws://` or `wss://`.",
            examples=["wss://stream.example.com/feed", "ws://127.0.0.1:1880/ws/chat"],
            pattern=r"^[wW][sS][sS]?://",
        )
        subprotocols: list[str] = field(
            default_factory=list,
            description="Subprotocols offered to the server in the handshake.",
            examples=[["graphql-ws"]],
        )
        whole_message: bool = field(
            False,
            description="Frames are whole messages as JSON (Node-RED's `entire message`), "
            "not payloads.",
        )
        heartbeat: float = field(
            0, ge=0, description="Seconds between pings to the server; 0 sends none."
        )
        headers: dict[str, str] = field(
            default_factory=dict,
            description="Headers of the opening handshake (a token: write `${NAME}`).",
        )
        tls_verify: bool = field(
            True, advanced=True,
            description="Check the server's certificate (`wss://`); false accepts any.",
        )
        reconnect_delay: float = field(
            3.0, gt=0, advanced=True,
            description="Seconds before connecting again after a loss or a failed attempt.",
        )
        max_pending: int = field(
            1000, ge=1, advanced=True,
            description="Frames waiting for each websocket-in node; when that many wait, "
            "flowrt stops reading from the server until the flow takes some (none is dropped).",
        )

        @field_validator("url")
        @classmethod
        def _url(cls, value: str) -> str:
            parts = urlsplit(value)
            if not parts.hostname:
                raise ValueError("the URL names no server: give ws://HOST[:PORT]/path")
            return value

    config: Config

    @property
    def hub(self) -> Hub:
        hub: Hub | None = getattr(self, "_hub", None)
        if hub is None:
            hub = self._hub = Hub(self.config.whole_message, self.ctx.new_msgid)
            self._socket: Any = None
            self._attempt: asyncio.Task[Any] | None = None
            self._reader: asyncio.Task[None] | None = None
            self._retry_at = 0.0
            self.closing = False
            self.session_id = ""
        return hub

    @property
    def address(self) -> str:
        """The URL without its login: what logs and errors show."""
        parts = urlsplit(self.config.url)
        netloc = parts.netloc.rpartition("@")[2]
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))

    def attach(self, node_id: str, status: Status, inbox: bool) -> asyncio.Queue[Any] | None:
        hub = self.hub
        hub.watch(node_id, status)
        return hub.inbox(node_id, self.config.max_pending) if inbox else None

    async def detach(self, node_id: str) -> None:
        self.hub.detach(node_id)
        if self.hub.empty:
            await self.close()

    async def connected(self) -> Any:
        """The open connection, made if needed (one attempt at a time for all the nodes);
        NotConnected when the server cannot be reached."""
        _ = self.hub
        if self._socket is not None:
            return self._socket
        if self._attempt is None or self._attempt.done():
            self._attempt = asyncio.get_running_loop().create_task(self._connect())
            # its failure is each caller's; retrieved here too, for when every caller is gone
            self._attempt.add_done_callback(lambda t: t.cancelled() or t.exception())
        return await asyncio.shield(self._attempt)

    async def send(self, frame: Frame) -> None:
        socket = await self.connected()
        from websockets.exceptions import ConnectionClosed

        try:
            await socket.send(frame)
        except ConnectionClosed as exc:
            if self._socket is socket:  # the reader may not have seen it yet
                self._socket = None
                self._retry_at = self.ctx.now() + self.config.reconnect_delay
            raise ConnectionLost(f"the connection to {self.address} dropped: {exc}") from None

    async def close(self) -> None:
        self.hub  # noqa: B018 - made if no node ever attached
        self.closing = True
        for task in (self._attempt, self._reader):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        socket, self._socket = self._socket, None
        if socket is not None:
            with contextlib.suppress(Exception):
                await socket.close()

    async def _connect(self) -> Any:
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidHandshake, InvalidStatus

        wait = self._retry_at - self.ctx.now()
        if wait > 0:
            await self.ctx.sleep(wait)
        if self.closing:
            raise NotConnected("the connection is closing")
        cfg = self.config
        self._show("yellow", "ring", "connecting")
        try:
            socket = await connect(
                cfg.url, subprotocols=cfg.subprotocols or None,  # type: ignore[arg-type]
                additional_headers=cfg.headers or None, ssl=self._tls(),
                ping_interval=cfg.heartbeat or None, ping_timeout=cfg.heartbeat or None,
                max_size=MAX_FRAME, compression=None, logger=QUIET, close_timeout=2,
            )
        except InvalidStatus as exc:
            reason = f"the server answered {exc.response.status_code}"
        except (OSError, TimeoutError, InvalidHandshake) as exc:
            reason = _reason(exc)
        else:
            self._socket = socket
            self.session_id = new_session_id()
            self._show("green", "dot", "connected")
            self._reader = asyncio.get_running_loop().create_task(self._read(socket))
            return socket
        self._retry_at = self.ctx.now() + cfg.reconnect_delay
        self._show("red", "ring", "disconnected")
        raise NotConnected(f"cannot connect to {self.address}: {reason}")

    def _show(self, fill: str, shape: str, text: str) -> None:
        """Show the connection's state in its nodes' statuses and, but while connecting,
        report it: one ``connected`` gauge and ``reconnects`` counter for the connection in
        ``/metrics``, whatever the number of nodes sharing it."""
        if text != "connecting":
            self.ctx.report_connection(text == "connected")
        self.hub.status(fill, shape, text)

    def _tls(self) -> ssl.SSLContext | None:
        if not self.config.url.lower().startswith("wss:"):
            return None
        context = ssl.create_default_context()
        if not self.config.tls_verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    async def _read(self, socket: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        try:
            async for data in socket:
                await self.hub.deliver(data, self.session_id)
        except ConnectionClosed:
            pass
        finally:
            if self._socket is socket:
                self._socket = None
                self._retry_at = self.ctx.now() + self.config.reconnect_delay
        if not self.closing:
            self._show("red", "ring", "disconnected")
            await self.hub.lost()


def _reason(exc: BaseException) -> str:
    """Why an attempt failed, in words that never hold the URL (nor its login)."""
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__
