"""Feeding a journal's rows to the flow (:mod:`flowrt.run.journal`, step 3).

Committed rows wait in order, the first :data:`CACHE` of them in memory and the rest read back
from the file when their turn comes. The flow gets them as from the broker, at most
:data:`IN_FLOW` at once; each is settled through a :class:`JournalAck`: a finished row goes back
to its journal to be deleted, a failed one is fed again after a pause (1 s, doubling to 60 s
while failures go on), as mqtt-in's broker would redeliver it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from flowrt.run.journal_file import decode
from flowrt.types import Message

if TYPE_CHECKING:
    from flowrt.protocols import Timer
    from flowrt.run.clock import Clock
    from flowrt.run.ports import Intake

CACHE = 4096
"""Messages kept in memory between their commit and the flow taking them; the rest are read
back from the file when their turn comes."""
IN_FLOW = 2000
"""The most messages of one journal in the flow at once (back-pressure bounds the rest)."""
LOAD = 256
"""Rows read back from the file at once."""
FEED_SLICE = 0.0001
"""Seconds of feeding between two turns of the event loop: the intake shares the loop, and each
of its messages needs several turns (paho's hand-over, the commit's return, the PUBACK; 20 in
flight). A message that takes the flow this long (the pipeline's, with its JavaScript step) is
followed by a turn, as one message a turn always was; cheaper ones are fed a few to a turn
(a turn is about 2.3 µs of CPU of its own, as much as a short flow's message). (Feeding only
while the intake had nothing to commit starved the flow at a steady 1,000 msg/s: p50 0.2-4 s
from publish to row; 64 messages a turn, about 8 ms of the pipeline's work, lost more at the
broker than one.)"""
RETRY_FIRST, RETRY_MOST = 1.0, 60.0


class Rows(Protocol):
    """What the feed needs of its journal (:class:`flowrt.run.journal.Journal`)."""

    @property
    def closing(self) -> bool: ...

    def load(self, rows: list[int]) -> Awaitable[dict[int, bytes]]:
        """The bodies of ``rows`` still in the file."""
        ...

    def finished(self, row: int, size: int) -> None:
        """The flow finished ``row``: delete it."""
        ...

    def unreadable(self, row: int, exc: ValueError) -> None:
        """``row`` is not a message: warn, and delete it."""
        ...


class JournalAck:
    """The acknowledgement the flow settles for a message fed from the journal."""

    __slots__ = ("feed", "row", "size")

    def __init__(self, feed: Feed, row: int, size: int) -> None:
        self.feed = feed
        self.row = row
        self.size = size

    async def ack(self) -> None:
        self.feed.settled(self, False)

    async def nack(self, requeue: bool = True) -> None:
        self.feed.settled(self, True)

    def settle(self, failed: bool) -> None:
        """ack() or nack(), in place: the engine calls it without a task per message (see
        :func:`flowrt.run.delivery.settle`)."""
        self.feed.settled(self, failed)


class Feed:
    """The rows of one journal on their way to the flow (``flow``, the runtime's intake)."""

    def __init__(self, rows: Rows, node_id: str, flow: Intake, clock: Clock) -> None:
        self._rows = rows
        self.node_id = node_id
        self._flow = flow
        self._clock = clock
        self.ready: deque[int] = deque()
        """Committed rows waiting for the flow, in order."""
        self._cache: dict[int, Message] = {}
        self._sizes: dict[int, int] = {}
        """Sizes of the cached rows (the others' are read with their body)."""
        self.in_flow = 0
        self.failed: list[int] = []
        self._fed = asyncio.Event()
        self._flow_room = asyncio.Event()
        self._flow_room.set()
        self._empty = asyncio.Event()
        self._rounds = 0
        self._retry: Timer | None = None
        self._busy = False
        self._feeder: asyncio.Task[None] | None = None

    @property
    def pending(self) -> bool:
        """Rows are waiting, in the flow, or failed and to be fed again."""
        return bool(self.ready or self.in_flow or self.failed)

    def committed(self, batch: Sequence[tuple[int, bytes, Message, Any]]) -> None:
        """The rows of ``batch`` (row, body, message, ...) were committed: they wait for the
        flow, in order (in memory while there is room)."""
        room = CACHE - len(self._cache)
        if room > 0:
            cache, sizes = self._cache, self._sizes
            for row, body, msg, _ in batch[:room]:
                cache[row] = msg
                sizes[row] = len(body)
        self.ready.extend([entry[0] for entry in batch])

    def wake(self) -> None:
        """Rows were queued: feed them."""
        self._fed.set()

    def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._feeder = loop.create_task(self._feed_loop(), name=f"journal-feed:{self.node_id}")

    def stop(self) -> None:
        """Feed nothing more (the source stops)."""
        if self._feeder is not None:
            self._feeder.cancel()
        if self._retry is not None:
            self._retry.cancel()

    async def emptied(self) -> None:
        """Wait until no fed row is in the flow any more."""
        self._empty.clear()
        await self._empty.wait()

    # feeding -----------------------------------------------------------------------------

    async def _feed_loop(self) -> None:
        """Feed the flow, counting as a busy source (:mod:`flowrt.run.inflow`) from a message
        fed until it waits for the next: sinks fill their batches while it feeds."""
        try:
            await self._feed()
        finally:
            if self._busy:
                self._busy = False
                self._flow.inflow.rest()

    async def _feed(self) -> None:
        flow = self._flow
        emit = flow.emit_source
        clock = time.perf_counter
        turn = clock()
        while True:
            if not self.ready or flow.full or self.in_flow >= IN_FLOW:
                if self._busy:
                    self._busy = False
                    flow.inflow.rest()
                while not self.ready:
                    self._fed.clear()
                    await self._fed.wait()
                if flow.full:
                    await flow.room.wait()
                if self.in_flow >= IN_FLOW:
                    self._flow_room.clear()
                    await self._flow_room.wait()
                turn = clock()
                continue
            row = self.ready[0]
            msg = self._cache.pop(row, None)
            if msg is None:
                await self._load()
                turn = clock()
                continue
            self.ready.popleft()
            self.in_flow += 1
            if not self._busy:
                self._busy = True
                flow.inflow.took()
            emit(self.node_id, msg, JournalAck(self, row, self._sizes.pop(row, 0)))
            if clock() - turn >= FEED_SLICE:
                await asyncio.sleep(0)
                turn = clock()

    async def _load(self) -> None:
        """Read the next rows not in memory back from the file."""
        wanted = [r for r in list(self.ready)[:LOAD] if r not in self._cache]
        bodies = await self._rows.load(wanted)
        for row in wanted:
            body = bodies.get(row)
            if body is None:  # gone meanwhile (finished by an earlier run's late ack)
                with contextlib.suppress(ValueError):
                    self.ready.remove(row)
                continue
            try:
                self._cache[row] = decode(body)
            except ValueError as exc:
                self.ready.remove(row)
                self._rows.unreadable(row, exc)
                continue
            self._sizes[row] = len(body)

    # settling ----------------------------------------------------------------------------

    def settled(self, ack: JournalAck, failed: bool) -> None:
        """The flow finished (or failed) a message fed from the journal."""
        self.in_flow -= 1
        if not self._flow_room.is_set() and self.in_flow < IN_FLOW:
            self._flow_room.set()
        if not self.in_flow:
            self._empty.set()
        if failed:
            self.failed.append(ack.row)
            if self._retry is None:
                delay = min(RETRY_MOST, RETRY_FIRST * 2**self._rounds)
                self._rounds += 1
                self._retry = self._clock.call_later(delay, self._feed_again)
            return
        if not self.failed:
            self._rounds = 0
        self._rows.finished(ack.row, ack.size)

    def _feed_again(self) -> None:
        self._retry = None
        if self._rows.closing:
            return
        failed, self.failed = self.failed, []
        self.ready.extend(failed)
        self._fed.set()
