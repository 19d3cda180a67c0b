"""The WebSocket session with Home Assistant that a homeassistant-server connection holds:
the auth handshake, commands with their results, event subscriptions made again after each
reconnect, and a copy of every entity's state kept current by the state_changed events."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flowrt.api import AuthFailed, ConnectionLost, NodeError, NotConnected

QUIET = logging.getLogger("flowrt.homeassistant.client")
"""The library's logger: never at debug level, where it writes every frame, the access token
of the auth message included."""
QUIET.setLevel(logging.INFO)

Deliver = Callable[[dict[str, Any]], None]
"""Called with each event (Home Assistant's ``event`` object) a listener subscribed to."""
Lost = Callable[[], None]
"""Called when the connection drops."""


@dataclass
class Listener:
    event_type: str | None
    """The event type listened to; None for every event."""
    deliver: Deliver
    lost: Lost


@dataclass
class Session:
    """One open WebSocket; commands are numbered, their results awaited by id."""

    socket: Any
    next_id: int = 1
    pending: dict[int, asyncio.Future[Any]] = field(default_factory=dict)
    streams: dict[int, Callable[[dict[str, Any]], None]] = field(default_factory=dict)
    version: str = ""


class HomeAssistantClient:
    """What the nodes of one connection share. ``session()`` connects if needed (one attempt
    at a time for every caller); a failure raises :class:`NotConnected`, and the engine tries
    again with back-off. When the socket drops every listener is told, so its source node
    raises and is reconnected; each reconnect subscribes the listeners again and reloads the
    states."""

    def __init__(self, ws_url: str, token: str, address: str,
                 status: Callable[[str | None, str | None, str], None]) -> None:
        self.ws_url = ws_url
        self._token = token
        self.address = address
        self.status = status
        self.listeners: dict[str, Listener] = {}
        self.states: dict[str, dict[str, Any]] = {}
        self._session: Session | None = None
        self._attempt: asyncio.Task[Session] | None = None
        self._reader: asyncio.Task[None] | None = None
        self.closing = False

    # -- connecting -------------------------------------------------------------------------

    async def session(self) -> Session:
        if self._session is not None:
            return self._session
        if self._attempt is None or self._attempt.done():
            self._attempt = asyncio.get_running_loop().create_task(self._connect())
            self._attempt.add_done_callback(lambda t: t.cancelled() or t.exception())
        return await asyncio.shield(self._attempt)

    async def _connect(self) -> Session:
        from websockets.asyncio.client import connect
        from websockets.exceptions import WebSocketException

        self.closing = False  # a node started again after the last one stopped
        self.status("yellow", "ring", "connecting")
        try:
            socket = await connect(self.ws_url, max_size=64 * 1024 * 1024, open_timeout=10,
                                   logger=QUIET)
        except (OSError, WebSocketException, TimeoutError) as exc:
            self.status("red", "ring", "disconnected")
            raise NotConnected(f"Home Assistant at {self.address} cannot be reached: {exc}") \
                from exc
        try:
            version = await self._authenticate(socket)
        except BaseException:
            await socket.close()
            self.status("red", "ring", "auth failed")
            raise
        session = Session(socket, version=version)
        self._session = session
        self._reader = asyncio.get_running_loop().create_task(self._read(session))
        try:
            await self._subscribe_all(session)
            states = await self.command({"type": "get_states"})
        except BaseException:
            await self._drop(session)
            raise
        self.states = {s["entity_id"]: s for s in states}
        self.status("green", "dot", "connected")
        return session

    async def _authenticate(self, socket: Any) -> str:
        from websockets.exceptions import WebSocketException

        try:
            async with asyncio.timeout(10):
                hello = json.loads(await socket.recv())
            if hello.get("type") != "auth_required":
                raise NotConnected(f"{self.address} is not Home Assistant's WebSocket API")
            await socket.send(json.dumps({"type": "auth", "access_token": self._token}))
            async with asyncio.timeout(10):
                answer = json.loads(await socket.recv())
        except (OSError, WebSocketException, TimeoutError, ValueError) as exc:
            raise NotConnected(f"Home Assistant at {self.address}: {exc}") from exc
        if answer.get("type") != "auth_ok":
            raise AuthFailed(f"Home Assistant at {self.address} refused the access token: "
                             f"{answer.get('message', answer.get('type'))}")
        return str(answer.get("ha_version", ""))

    async def _subscribe_all(self, session: Session) -> None:
        """state_changed for the states' copy, and what the listeners want: every event when
        one listens to all of them, else each event type once."""
        wanted = {ln.event_type for ln in self.listeners.values()} | {"state_changed"}
        if None in wanted:
            await self._subscribe(session, None)
            return
        for event_type in sorted(t for t in wanted if t is not None):
            await self._subscribe(session, event_type)

    async def _subscribe(self, session: Session, event_type: str | None) -> None:
        message: dict[str, Any] = {"type": "subscribe_events"}
        if event_type is not None:
            message["event_type"] = event_type
        await self.command(message, stream=self._event, session=session)

    # -- commands ---------------------------------------------------------------------------

    async def command(self, message: dict[str, Any],
                      stream: Callable[[dict[str, Any]], None] | None = None,
                      session: Session | None = None) -> Any:
        """Send a command and return its result; ``stream`` receives the events that follow
        (a subscription). A refused command raises NodeError with Home Assistant's message."""
        from websockets.exceptions import ConnectionClosed

        session = session or await self.session()
        number = session.next_id
        session.next_id += 1
        result: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        session.pending[number] = result
        if stream is not None:
            session.streams[number] = stream
        try:
            await session.socket.send(json.dumps({**message, "id": number}))
        except ConnectionClosed as exc:
            session.pending.pop(number, None)
            raise ConnectionLost(f"the connection to Home Assistant at {self.address} "
                                 "dropped") from exc
        return await result

    async def render(self, template: str, timeout: float = 30.0) -> Any:
        """Home Assistant's rendering of a template (its first result; the subscription
        ``render_template`` makes is ended at once)."""
        got: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()

        def first(event: dict[str, Any]) -> None:
            if not got.done():
                got.set_result(event)

        session = await self.session()
        number = session.next_id
        await self.command({"type": "render_template", "template": template,
                            "report_errors": True}, stream=first, session=session)
        try:
            async with asyncio.timeout(timeout):
                event = await got
        except TimeoutError as exc:
            raise NodeError(f"Home Assistant rendered nothing in {timeout:g} s") from exc
        finally:
            with contextlib.suppress(NodeError, ConnectionLost):
                await self.unsubscribe(number)
        if "error" in event:
            raise NodeError(f"Home Assistant could not render the template: {event['error']}")
        return event.get("result")

    async def unsubscribe(self, number: int) -> None:
        session = self._session
        if session is None or session.streams.pop(number, None) is None:
            return
        await self.command({"type": "unsubscribe_events", "subscription": number})

    async def _read(self, session: Session) -> None:
        try:
            async for raw in session.socket:
                for item in _frames(raw):
                    self._dispatch(session, item)
        except Exception as exc:  # noqa: BLE001 - any failure of the socket is a loss
            QUIET.info("Home Assistant at %s: %s", self.address, exc)
        finally:
            await self._drop(session)

    def _dispatch(self, session: Session, item: dict[str, Any]) -> None:
        number = item.get("id")
        kind = item.get("type")
        if kind == "result" and isinstance(number, int):
            waiting = session.pending.pop(number, None)
            if waiting is None or waiting.done():
                return
            if item.get("success"):
                waiting.set_result(item.get("result"))
            else:
                error = item.get("error") or {}
                waiting.set_exception(NodeError(
                    f"Home Assistant refused it: {error.get('code', '')} "
                    f"{error.get('message', '')}".strip()))
        elif kind == "pong" and isinstance(number, int):  # the answer to a ping command
            waiting = session.pending.pop(number, None)
            if waiting is not None and not waiting.done():
                waiting.set_result(None)
        elif kind == "event" and isinstance(number, int):
            stream = session.streams.get(number)
            if stream is not None:
                stream(item.get("event") or {})

    def _event(self, event: dict[str, Any]) -> None:
        event_type = event.get("event_type")
        if event_type == "state_changed":
            data = event.get("data") or {}
            entity = data.get("entity_id")
            if isinstance(entity, str):
                if data.get("new_state") is None:
                    self.states.pop(entity, None)
                else:
                    self.states[entity] = data["new_state"]
        for listener in list(self.listeners.values()):
            if listener.event_type is None or listener.event_type == event_type:
                listener.deliver(event)

    async def _drop(self, session: Session) -> None:
        if self._session is not session:
            return
        self._session = None
        lost = ConnectionLost(f"the connection to Home Assistant at {self.address} dropped")
        for waiting in session.pending.values():
            if not waiting.done():
                waiting.set_exception(lost)
        session.pending.clear()
        with contextlib.suppress(Exception):
            await session.socket.close()
        if not self.closing:
            self.status("red", "ring", "disconnected")
            for listener in list(self.listeners.values()):
                listener.lost()

    # -- listeners --------------------------------------------------------------------------

    async def listen(self, node_id: str, listener: Listener) -> None:
        """Add a listener; subscribed at once when connected and its event type is new."""
        known = {ln.event_type for ln in self.listeners.values()} | {"state_changed"}
        self.listeners[node_id] = listener
        session = self._session
        if session is not None and None not in known and listener.event_type not in known:
            await self._subscribe(session, listener.event_type)

    def forget(self, node_id: str) -> None:
        self.listeners.pop(node_id, None)

    async def close(self) -> None:
        self.closing = True
        session = self._session
        if session is not None:
            await self._drop(session)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader


def _frames(raw: str | bytes) -> list[dict[str, Any]]:
    """Home Assistant may send several messages in one frame, as a JSON array."""
    data = json.loads(raw)
    items = data if isinstance(data, list) else [data]
    return [item for item in items if isinstance(item, dict)]
