"""The WebSocket hub: runtime events fanned out to every editor connected to /api/events.

Events (JSON): ``{type: "debug", node, msg, time}`` for each message reaching an active debug
node, ``{type: "status", node, status}``, ``{type: "error", node, message, msgid}`` for errors
no catch node took, and ``{type: "deploy", revision, changed}``. A client that does not keep up
loses events (its queue is bounded) rather than slowing the flows down.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect

log = logging.getLogger("flowrt.server")
QUEUE = 1000


class Hub:
    def __init__(self) -> None:
        self.clients: set[asyncio.Queue[dict[str, Any]]] = set()

    def publish(self, event: dict[str, Any]) -> None:
        for queue in self.clients:
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                pass

    async def serve(self, websocket: WebSocket) -> None:
        await websocket.accept()
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE)
        self.clients.add(queue)
        closed = asyncio.get_running_loop().create_task(_until_closed(websocket))
        try:
            while not closed.done():
                getter = asyncio.ensure_future(queue.get())
                await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
                if not getter.done():
                    getter.cancel()
                    break
                await websocket.send_text(json.dumps(getter.result(), default=_jsonable))
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass
        finally:
            self.clients.discard(queue)
            closed.cancel()


async def _until_closed(websocket: WebSocket) -> None:
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
    except (WebSocketDisconnect, RuntimeError):
        return


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"type": "Buffer", "data": list(value)}
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return repr(value)
