"""One connection of tcp-request to a host and port: the messages waiting to be written on it,
and what has been read of the answer so far."""

from __future__ import annotations

import asyncio
from collections import deque

from flowrt.api import Message, Timer


class TcpLink:
    """tcp-request's connection to ``key`` (``host:port``); Node-RED keeps one per address."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.waiting: deque[Message] = deque()
        """Messages not yet written (the connection is being opened)."""
        self.last: Message = {}
        """The latest message sent to this address: answers are sent as copies of it."""
        self.writer: asyncio.StreamWriter | None = None
        self.connecting = False
        self.answer = bytearray()
        """What has been read of the answer (modes timeout, count and character)."""
        self.text = ""
        """Text read and not yet delimited (mode never, string output with a newline)."""
        self.timer: Timer | None = None
        self.task: asyncio.Task[None] | None = None

    @property
    def connected(self) -> bool:
        return self.writer is not None

    def close(self) -> None:
        """Close the connection and forget what was read of the answer."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        self.connecting = False
