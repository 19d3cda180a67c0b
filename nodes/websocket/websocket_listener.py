"""websocket-listener: a WebSocket path that flowrt serves, shared by websocket-in and
websocket-out nodes."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from pydantic import field_validator

from flowrt.api import Connection, NodeConfig, field

from .websocket_access import AccessConfig
from .websocket_frames import Frame, new_session_id
from .websocket_hub import Hub, Status

GOING_AWAY = 1001
TOO_SLOW = 1008


class Served(NodeConfig):
    """The path a websocket-listener serves, and how it handles frames."""

    path: str = field(
        description="The path clients connect to: `ws://HOST:PORT` + path.",
        examples=["/ws/chat"], min_length=1,
    )
    whole_message: bool = field(
        False,
        description="Frames are whole messages as JSON (Node-RED's `entire message`), "
        "not payloads.",
    )
    max_pending: int = field(
        1000, ge=1, advanced=True,
        description="Frames waiting for each websocket-in node; when that many wait, "
        "flowrt stops reading from the client until the flow takes some (none is dropped).",
    )
    send_timeout: float = field(
        10.0, gt=0, advanced=True,
        description="Seconds a client has to take a frame sent to it; a client that does "
        "not is disconnected.",
    )

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        return value if value.startswith("/") else "/" + value


class WebsocketListener(Connection):
    """A WebSocket path served by flowrt, for browsers and other clients to connect to.

    ### Details

    The path is served beside the flows' http-in routes: by `flowrt run` on `--http
    HOST:PORT` (127.0.0.1:1880 by default), or by `flowrt serve` on its own address. A client
    connects to `ws://HOST:PORT/path` (the path matches exactly). Two listeners on one path
    stop the flow from starting, naming both.

    Each client connected is a session with an id of its own: websocket-in gives every frame
    received with `msg._session = {type: "websocket", id}`, and websocket-out sends a message
    that still carries it to that one client only (a reply), any other message to every
    client connected. The nodes show `connected N` (a green dot) while clients are connected,
    a red ring when the last one left.

    A browser page may open a WebSocket to any address, so a handshake from a page (one with
    an `Origin` header) is refused unless the page comes from this server itself (under
    `flowrt serve`, also from a `--public-url` or an `--allowed-host` name): a page of another
    site cannot talk to your flows through the visitor's browser. Clients that are not
    browsers send no `Origin` and are accepted. Anyone who can reach the address can connect:
    keep the default loopback address, or set `auth`.

    `auth` is checked on the handshake, before the connection is accepted (see
    docs/keys.md): `key` takes an API key of `flowrt keys add` in `Authorization: Bearer KEY`
    or `X-API-Key: KEY` (never in the URL), `bearer` one of `tokens`, `basic` one of `users`.
    A refused handshake is answered 401 (403 for a key without the `scopes`) and no session
    starts; every frame of an admitted client carries `msg.client` (`{name, kind, scopes}`,
    never the credential). `rate`/`burst` pace each client's frames (its socket is read no
    faster) and `quota` closes its socket (1008) once its frames for the day are used up.

    With `whole_message`, frames are whole messages as JSON (Node-RED's "entire message"), in
    both directions.

    ```yaml
    connections:
      chat:
        type: websocket-listener
        path: /ws/chat
    ```
    """

    type = "websocket-listener"

    class Config(AccessConfig, Served):
        """The path and its frames (:class:`Served`), then who may connect and how many
        frames a client may send (:class:`AccessConfig`), in that order in forms and docs."""

    config: Config

    @property
    def hub(self) -> Hub:
        hub: Hub | None = getattr(self, "_hub", None)
        if hub is None:
            hub = self._hub = Hub(self.config.whole_message, self.ctx.new_msgid)
            self.sessions: dict[str, tuple[Any, asyncio.Lock]] = {}
            self.serving: dict[str, asyncio.Task[Any]] = {}
            self.closing = False
        return hub

    def attach(self, node_id: str, status: Status, inbox: bool) -> asyncio.Queue[Any] | None:
        """A node joins: it gets the status, and with ``inbox`` the frames received. The first
        one makes the path served (ConfigError when another listener serves it)."""
        hub = self.hub
        if hub.empty:
            self.closing = False
            self.ctx.http_routes().add_websocket(self.id, self.config.path, self._serve,
                                                 access=self.config)
        hub.watch(node_id, status)
        return hub.inbox(node_id, self.config.max_pending) if inbox else None

    async def detach(self, node_id: str) -> None:
        self.hub.detach(node_id)
        if self.hub.empty:
            await self.close()

    async def close(self) -> None:
        """The path is no longer served; the clients connected are told the server is going
        away."""
        self.hub  # noqa: B018 - made if no node ever attached
        self.closing = True
        self.ctx.http_routes().remove(self.id)
        for websocket, _ in list(self.sessions.values()):
            with contextlib.suppress(Exception):
                await websocket.close(GOING_AWAY)
        for task in list(self.serving.values()):
            task.cancel()  # one may wait for room in an inbox nobody reads any more

    async def send(self, frame: Frame, session_id: str | None) -> bool:
        """Send to the client of ``session_id``, or to every client for None; False when that
        client is not connected (any more)."""
        if session_id is None:
            await asyncio.gather(*(self._send_one(sid, frame) for sid in list(self.sessions)))
            return True
        if session_id not in self.sessions:
            return False
        await self._send_one(session_id, frame)
        return True

    async def _send_one(self, session_id: str, frame: Frame) -> None:
        found = self.sessions.get(session_id)
        if found is None:
            return
        websocket, lock = found
        try:
            async with lock, asyncio.timeout(self.config.send_timeout):
                if isinstance(frame, bytes):
                    await websocket.send_bytes(frame)
                else:
                    await websocket.send_text(frame)
        except TimeoutError:
            self.ctx.warn(f"client {session_id} did not take a frame within "
                          f"{self.config.send_timeout:g} s: disconnected")
            await self._drop(session_id, websocket)
        except Exception:  # noqa: BLE001 - the client left while we sent; its session ends
            return

    async def _drop(self, session_id: str, websocket: Any) -> None:
        """Forget a client that reads nothing: no more frames for it, a close frame if its
        socket takes one within a second, and its task ended."""
        self.sessions.pop(session_id, None)
        self._show()
        with contextlib.suppress(Exception):
            async with asyncio.timeout(1.0):
                await websocket.close(TOO_SLOW)
        task = self.serving.pop(session_id, None)
        if task is not None:
            task.cancel()

    async def _serve(self, websocket: Any) -> None:
        if self.closing:
            await websocket.close(GOING_AWAY)
            return
        client = websocket.scope.get("flowrt.client")
        pace = websocket.scope.get("flowrt.pace")
        offered = websocket.scope.get("subprotocols") or []
        # as Node-RED's listener (the ws library): the first subprotocol the client offers
        await websocket.accept(subprotocol=offered[0] if offered else None)
        session_id = new_session_id()
        self.sessions[session_id] = (websocket, asyncio.Lock())
        task = asyncio.current_task()
        if task is not None:
            self.serving[session_id] = task
        self._show()
        try:
            while True:
                event = await websocket.receive()
                if event["type"] == "websocket.disconnect":
                    return
                data = event.get("text")
                if data is None:
                    data = event.get("bytes")
                if data is None:
                    continue
                refused = await pace.take(self.ctx.sleep) if pace is not None else None
                if refused is not None:
                    await websocket.close(TOO_SLOW, refused)
                    return
                await self.hub.deliver(data, session_id, client)
        except asyncio.CancelledError:
            if not self._ended(session_id):
                raise  # not ours: the server is going away
        finally:
            if self.sessions.pop(session_id, None) is not None:
                self._show()
            self.serving.pop(session_id, None)

    def _ended(self, session_id: str) -> bool:
        """Whether this listener ended the session's task itself (closing, or a client that
        reads nothing): the task then returns, as if the client had left."""
        return self.closing or session_id not in self.sessions

    def _show(self) -> None:
        count = len(self.sessions)
        if count:
            self.hub.status("green", "dot", f"connected {count}")
        else:
            self.hub.status("red", "ring", "disconnected")
