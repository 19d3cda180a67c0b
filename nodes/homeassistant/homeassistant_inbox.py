"""What a Home Assistant source node has received and the flow has not read yet: events put
by the connection's listener, and the connection's loss, which the next read raises."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from flowrt.api import ConnectionLost

_LOST = object()


class Inbox:
    """A queue of events; ``put`` keeps at most ``limit`` (the oldest dropped, with a warning
    naming ``what``), ``add`` keeps everything (a node's own follow-ups)."""

    def __init__(self, address: Callable[[], str], warn: Callable[[str], None],
                 limit: int | None = None, what: str = "events") -> None:
        self._queue: asyncio.Queue[Any] = asyncio.Queue()
        self._address = address
        self._warn = warn
        self._limit = limit
        self._what = what

    def put(self, item: Any) -> None:
        if self._limit is not None and self._queue.qsize() >= self._limit:
            self._queue.get_nowait()
            self._warn(f"the flow is slower than the {self._what}: the oldest was dropped")
        self._queue.put_nowait(item)

    def add(self, item: Any) -> None:
        self._queue.put_nowait(item)

    def lost(self) -> None:
        """The connection dropped: the read that reaches this raises ConnectionLost."""
        self._queue.put_nowait(_LOST)

    async def get(self) -> Any:
        item = await self._queue.get()
        if item is _LOST:
            raise ConnectionLost(f"the connection to {self._address()} dropped")
        return item
