"""What a websocket connection shares with the nodes that name it: the inboxes of its
websocket-in nodes and the status of all of them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flowrt.api import Message, clone

from .websocket_frames import Frame, frame_to_message

Status = Callable[..., None]
LOST = object()
"""Put into the inboxes when a client connection is lost: the reading node raises, and the
engine reconnects."""


@dataclass
class Hub:
    """The websocket-in inboxes (bounded: a full one stops reading from the socket, so a slow
    flow slows the peer down and nothing is dropped) and the nodes' status."""

    whole: bool
    new_msgid: Callable[[], str]
    inboxes: dict[str, asyncio.Queue[Any]] = field(default_factory=dict)
    watchers: dict[str, Status] = field(default_factory=dict)
    shown: tuple[str | None, str | None, str] = (None, None, "")

    def watch(self, node_id: str, status: Status) -> None:
        self.watchers[node_id] = status
        if self.shown[0] is not None:
            status(*self.shown)

    def inbox(self, node_id: str, size: int) -> asyncio.Queue[Any]:
        queue: asyncio.Queue[Any] = asyncio.Queue(size)
        self.inboxes[node_id] = queue
        return queue

    def detach(self, node_id: str) -> None:
        self.inboxes.pop(node_id, None)
        self.watchers.pop(node_id, None)

    @property
    def empty(self) -> bool:
        return not self.inboxes and not self.watchers

    def status(self, fill: str | None, shape: str | None, text: str) -> None:
        self.shown = (fill, shape, text)
        for status in list(self.watchers.values()):
            status(fill, shape, text)

    async def deliver(self, data: Frame, session_id: str, client: Any = None) -> None:
        """Each websocket-in node gets the frame as a message of its own (one message id),
        with ``client`` (who connected, on a listener with ``auth``) as ``msg.client``."""
        msgid = self.new_msgid()
        for queue in list(self.inboxes.values()):
            msg: Message = frame_to_message(data, self.whole, session_id, msgid)
            if client:
                msg["client"] = clone(client)
            await queue.put(msg)

    async def lost(self) -> None:
        """Each websocket-in node reads, after the frames before it, that the connection is
        gone."""
        for queue in list(self.inboxes.values()):
            await queue.put(LOST)
