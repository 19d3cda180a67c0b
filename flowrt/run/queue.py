"""The bounded queue in front of each asynchronous node (sinks, async transforms).

Puts never block: they come from synchronous code (a fused chain). Instead, a queue over its bound
tells the runtime, and sources pause before reading their next message until every queue is back
under half its bound. So memory stays bounded by the queue sizes plus one source message's
fan-out, and no message is ever dropped for lack of room.

A sink may choose otherwise (``overflow`` in :class:`flowrt.api.SinkConfig`): with
``drop-oldest`` or ``drop-newest`` a full queue gives one message up to ``on_drop``, which fails
it with an error naming the node (catch nodes see it, its source is nacked). The sources never
pause for such a queue.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from flowrt.run.delivery import Delivery
from flowrt.types import Message

if TYPE_CHECKING:
    from flowrt.run.clock import Clock

Item = tuple[Message, Delivery]


class NodeQueue:
    def __init__(
        self,
        node_id: str,
        limit: int,
        on_full: Callable[[NodeQueue, bool], None],
        overflow: str = "block",
        on_drop: Callable[[Item], None] | None = None,
    ) -> None:
        self.node_id = node_id
        self.limit = max(1, limit)
        self.drop = overflow if overflow != "block" and on_drop is not None else ""
        self._on_drop = on_drop
        self.items: deque[Item] = deque()
        self.closed = False
        self.full = False
        self.busy = False
        """True while the node works on what it took last."""
        self._on_full = on_full
        self._waiter: asyncio.Future[None] | None = None
        self.starved: Callable[[], bool] = _never
        """True when no more input can come for now, so a batch waits no longer (the runtime
        sets it: no message on its way, :mod:`flowrt.run.inflow`, or a full acknowledgement
        window, :mod:`flowrt.run.windows`)."""
        self.filling: set[NodeQueue] | None = None
        """Where a sink's queue registers while it waits for a batch to fill, to be woken
        when input stops (:class:`flowrt.run.inflow.Inflow`)."""
        self.drained: Callable[[], None] | None = None
        """Called when an asynchronous transform's queue runs dry (it may have held the last
        message on its way to a sink)."""
        self.batches: dict[str, int] = {"full": 0, "idle": 0, "interval": 0}
        """How the sink's batches ended: full, written because no more input was on its way,
        or after waiting ``batch_interval``."""

    def __len__(self) -> int:
        return len(self.items)

    def put(self, msg: Message, delivery: Delivery) -> None:
        if self.drop and len(self.items) >= self.limit:
            assert self._on_drop is not None
            if self.drop == "drop-newest":
                self._on_drop((msg, delivery))
                return
            self._on_drop(self.items.popleft())
        self.items.append((msg, delivery))
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        if not self.full and len(self.items) > self.limit:
            self.full = True
            self._on_full(self, True)

    def close(self) -> None:
        self.closed = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _took(self) -> None:
        if self.full and len(self.items) <= self.limit // 2:
            self.full = False
            self._on_full(self, False)

    async def _wait(self) -> None:
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    async def get(self) -> Item | None:
        """The next item, or None once the queue is closed and empty."""
        self.busy = False
        if not self.items and self.drained is not None:
            self.drained()
        while not self.items:
            if self.closed:
                return None
            await self._wait()
        item = self.items.popleft()
        self.busy = True
        self._took()
        return item

    async def get_batch(self, size: int, interval: float, clock: Clock) -> list[Item] | None:
        """Up to ``size`` items. After the first, wait for more while they are coming: at most
        ``interval`` s, and no longer once :attr:`starved` says no more input is on its way."""
        first = await self.get()
        if first is None:
            return None
        batch = [first]
        if size > 1 and interval > 0 and len(self.items) < size - 1 and not self.closed:
            if self.starved():
                self.batches["idle"] += 1
            else:
                await self._fill(size, interval, clock)
        else:
            self.batches["full"] += 1
        while self.items and len(batch) < size:
            batch.append(self.items.popleft())
        self.busy = True
        self._took()
        return batch

    async def take_full(self, size: int) -> list[Item] | None:
        """``size`` items as soon as the queue holds that many, or None once it is closed
        first: the next batch of a sink that prepares it while writing the one before (a batch
        ``get_batch`` would have made full at once, taken earlier)."""
        while len(self.items) < size:
            if self.closed:
                return None
            await self._wait()
        batch = [self.items.popleft() for _ in range(size)]
        self.batches["full"] += 1
        self._took()
        return batch

    async def _fill(self, size: int, interval: float, clock: Clock) -> None:
        timer = clock.call_later(interval, self.close_wait)
        self.busy = False  # waiting for more input or the timer, not working
        self._filling = True
        if self.filling is not None:
            self.filling.add(self)
        try:
            while len(self.items) < size - 1 and not self.closed:
                if self._expired:
                    self.batches["interval"] += 1
                    return
                if self.starved():
                    self.batches["idle"] += 1
                    return
                await self._wait()
            self.batches["full"] += 1
        finally:
            timer.cancel()
            if self.filling is not None:
                self.filling.discard(self)
            self._expired = False
            self._filling = False

    _expired = False
    _filling = False

    def write_now(self) -> None:
        """Stop waiting for a batch to fill, if waiting: no more input can come for now."""
        if self._filling:
            self.wake()

    def wake(self) -> None:
        """Have a waiting batch look again whether more input is on its way."""
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def close_wait(self) -> None:
        """Wake a batch that waited long enough."""
        self._expired = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)


def _never() -> bool:
    return False
