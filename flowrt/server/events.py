"""The WebSocket hub: runtime events fanned out to every editor connected to /api/events.

Events (JSON): ``{type: "debug", node, msg, time}`` for each message reaching an active debug
node (with ``trace`` when its path is kept, :mod:`flowrt.run.paths`), ``{type: "status", node,
status}``, ``{type: "error", node, message, msgid}`` for errors no catch node took, and
``{type: "deploy", revision, changed}`` (with ``group: {hash, author}`` when the deploy ran a
revision of the worker's group, :mod:`flowrt.server.group_deploy`).

Each event is encoded once, whatever the number of clients. An event over ``MAX_EVENT_BYTES``
(a large debug message) is sent cut: its ``msg`` becomes ``{payload: <the start of it and a
note>, _msgid, _truncated: <its size>}``. Each client has its own queue, bounded in bytes
(``MAX_QUEUED_BYTES``): a client that does not read its events (a stalled tab, a script that
connects and stops reading) is dropped when its queue would pass the bound, with close code
1008 and one warning in the log, rather than making the server hold its events or slowing the
flows down. The other clients are not affected.

A client whose grant is limited to some flow files has a *view* (:func:`flowrt.server.scoping.
event_view`): the events of nodes of other files are not sent to it, and a deploy event
reaches it without what changed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
from collections import deque
from collections.abc import Callable
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

from flowrt.message import js_dumps
from flowrt.netloc import host_port
from flowrt.secrets.redact import redact_data

log = logging.getLogger("flowrt.server")
MAX_EVENT_BYTES = 1024 * 1024
MAX_QUEUED_BYTES = 16 * 1024 * 1024
TOO_SLOW = 1008
PREVIEW = 1000


View = Callable[[dict[str, Any]], dict[str, Any] | None]


class Client:
    """One connected editor: the events waiting for it, and their size."""

    def __init__(self, peer: str, view: View | None = None) -> None:
        self.peer = peer
        self.view = view
        """What of an event this client may see (None: all of every event)."""
        self.waiting: deque[str] = deque()
        self.bytes = 0
        self.ready = asyncio.Event()
        self.dropped = asyncio.Event()


class Hub:
    def __init__(self, max_queued: int = MAX_QUEUED_BYTES,
                 max_event: int = MAX_EVENT_BYTES) -> None:
        self.clients: set[Client] = set()
        self.max_queued = max_queued
        self.max_event = max_event

    def publish(self, event: dict[str, Any]) -> None:
        if not self.clients:
            return
        event = redact_data(event)  # once here, for every client (see flowrt.secrets.redact)
        whole: str | None = None
        for client in list(self.clients):
            if client.view is None:
                whole = text = whole or encode(event, self.max_event)
            else:
                shown = client.view(event)
                if shown is None:
                    continue
                text = encode(shown, self.max_event)
            size = len(text)  # ASCII (json's ensure_ascii): characters are bytes
            if client.bytes + size > self.max_queued:
                self._drop(client)
                continue
            client.waiting.append(text)
            client.bytes += size
            client.ready.set()

    def _drop(self, client: Client) -> None:
        log.warning("events: dropped the WebSocket client %s: %d bytes of events wait for it "
                    "and it does not read them (the bound is %d bytes a client)", client.peer,
                    client.bytes, self.max_queued)
        self.clients.discard(client)
        client.waiting.clear()
        client.bytes = 0
        client.dropped.set()

    async def serve(self, websocket: WebSocket, view: View | None = None) -> None:
        await websocket.accept()
        peer = host_port(*websocket.client) if websocket.client else "?"
        client = Client(peer, view)
        self.clients.add(client)
        loop = asyncio.get_running_loop()
        closed = loop.create_task(_until_closed(websocket))
        sending = loop.create_task(_send(websocket, client))
        dropped = loop.create_task(client.dropped.wait())
        try:
            await asyncio.wait({closed, sending, dropped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            self.clients.discard(client)
            for task in (closed, sending, dropped):
                task.cancel()
        if dropped.done() and not dropped.cancelled() and not closed.done():
            await _close(websocket)


async def _send(websocket: WebSocket, client: Client) -> None:
    try:
        while True:
            await client.ready.wait()
            while client.waiting:
                text = client.waiting.popleft()
                await websocket.send_text(text)
                client.bytes -= len(text)
            client.ready.clear()
    except (WebSocketDisconnect, RuntimeError, OSError):
        return


async def _close(websocket: WebSocket) -> None:
    """Close with 1008; a client that reads nothing may never take the close frame, so this
    waits a few seconds at most (the server closes the connection when the handler returns)."""
    try:
        async with asyncio.timeout(5):
            await websocket.close(TOO_SLOW, "too slow: events were not read")
    except (TimeoutError, WebSocketDisconnect, RuntimeError, OSError):
        pass


async def _until_closed(websocket: WebSocket) -> None:
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
    except (WebSocketDisconnect, RuntimeError):
        return


def encode(event: dict[str, Any], limit: int = MAX_EVENT_BYTES) -> str:
    """The event's JSON text; a debug message that makes it longer than ``limit`` is cut."""
    try:
        text = _dumps(event)
    except (ValueError, RecursionError) as exc:  # a message that refers to itself
        plain = {k: v for k, v in event.items() if isinstance(v, str | int | float | None)}
        return js_dumps({**plain, "msg": {"payload": f"[cannot be shown: {exc}]"}})
    if len(text) <= limit:
        return text
    msg = event.get("msg")
    shown = js_dumps(msg, default=_jsonable)[:PREVIEW] if "msg" in event else ""
    cut = {k: v for k, v in event.items() if k not in ("msg", "message")}
    note = (f"… [cut: the message is {len(text):,} bytes as JSON; the editor is sent at most "
            f"{limit:,}]")
    cut["msg"] = {"payload": shown + note, "_truncated": len(text)}
    if isinstance(msg, dict) and isinstance(msg.get("_msgid"), str):
        cut["msg"]["_msgid"] = msg["_msgid"][:100]
    if "message" in event:
        cut["message"] = str(event["message"])[:PREVIEW] + note
    return js_dumps(cut, default=_jsonable)


def _dumps(event: dict[str, Any]) -> str:
    """The event as JSON; NaN and the infinities as Node-RED's debug view sends them,
    ``{"__enc__": true, "type": "number", "data": "NaN"}``, so the sidebar shows them as they
    are (``JSON.stringify`` would make them null)."""
    try:
        return json.dumps(event, allow_nan=False, default=_jsonable)
    except ValueError:
        return json.dumps(_numbers_shown(event), allow_nan=False, default=_jsonable)


def _numbers_shown(value: Any) -> Any:
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return {"__enc__": True, "type": "number", "data": _NON_FINITE.get(value, "NaN")}
    if isinstance(value, dict):
        return {k: _numbers_shown(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_numbers_shown(v) for v in value]
    return value


_NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"type": "Buffer", "data": list(value)}
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return repr(value)
