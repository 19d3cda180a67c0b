"""A durable local journal between an acknowledging source and its flow.

A broker that waits for acknowledgements may still drop what waits for a slow client: Mosquitto
sends a client at most 20 unacknowledged QoS 1 messages and queues at most 1,000 more, then
drops. A source that acknowledges each message only once the flow finished it makes the broker
hold everything the flow is behind on, so a flow slower than its publishers loses messages at
the broker, silently. A journaled source instead reads ahead as fast as the broker sends:

1. each message read is appended to the journal's intake; the intake is committed to the
   journal file (:mod:`flowrt.run.journal_file`) in one transaction per group: while one commit
   runs on the journal's thread the next group gathers, so a commit holds as many messages as
   arrived meanwhile, and a message waits for one commit at most, never for a timer;
2. once committed, each message is acknowledged to the broker;
3. the flow is fed from the journal (at-least-once, as from the broker): when a message is
   finished its row is deleted (deletes are batched into the next commit); when it failed its
   row stays, and it is fed again after a pause (1 s, doubling to 60 s while failures go on),
   as mqtt-in's broker would redeliver it;
4. on start, rows an earlier run left (a crash, kill -9, a stop past its deadline) are fed
   first.

The journal is bounded (``--journal-max-messages``, ``--journal-max-bytes``): when full the
source stops reading ahead, so the broker holds messages as it would without a journal, and the
node warns. When a commit fails (a full disk), its messages go to the flow directly with their
broker acknowledgements (at-least-once, as without a journal), the node warns, and the journal
is tried again 5 s later.

The reading loop is the engine's own (:func:`flowrt.run.workers.run_source`: connect, back-off,
reconnect), given the journal in the runtime's place for where messages go and when to pause
(:mod:`flowrt.run.journal_intake`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from flowrt.api import Ack
from flowrt.run.journal_file import JournalFile, JournalSettings, decode, encode
from flowrt.types import Message

if TYPE_CHECKING:
    from flowrt.protocols import Timer
    from flowrt.run.runtime import Runtime

log = logging.getLogger("flowrt.run")
T = TypeVar("T")
DELETE_BATCH = 512
"""Finished rows deleted at once; fewer are deleted after DELETE_DELAY."""
DELETE_DELAY = 0.05
CACHE = 4096
"""Messages kept in memory between their commit and the flow taking them; the rest are read
back from the file when their turn comes."""
IN_FLOW = 2000
"""The most messages of one journal in the flow at once (back-pressure bounds the rest)."""
LOAD = 256
"""Rows read back from the file at once."""
FEED_YIELD = 1
"""Messages fed between two turns of the event loop: the intake shares the loop, and each of its
messages needs several turns (paho's hand-over, the commit's return, the PUBACK; 20 in flight).
(Feeding only while the intake had nothing to commit starved the flow at a steady 1,000 msg/s:
p50 0.2-4 s from publish to row.)"""
RETRY_FIRST, RETRY_MOST = 1.0, 60.0
BYPASS = 5.0
"""Seconds messages go to the flow directly after a commit failed, before the next try."""


class JournalAck:
    """The acknowledgement the flow settles for a message fed from the journal."""

    __slots__ = ("journal", "row", "size")

    def __init__(self, journal: Journal, row: int, size: int) -> None:
        self.journal = journal
        self.row = row
        self.size = size

    async def ack(self) -> None:
        self.journal.settled(self, False)

    async def nack(self, requeue: bool = True) -> None:
        self.journal.settled(self, True)


class Journal:
    """One source's journal: its intake (``take``, ``full``, ``room``, what ``run_source``
    uses of a runtime) and the feeding of its rows to the flow."""

    def __init__(
        self, rt: Runtime, node_id: str, path: Path, settings: JournalSettings
    ) -> None:
        self.rt = rt
        self.node_id = node_id
        self.path = path
        self.settings = settings
        self.file = JournalFile(path)
        self.room = asyncio.Event()
        self.room.set()
        self.rows = 0
        """Rows in the file not yet finished."""
        self.bytes = 0
        self.in_flow = 0
        self._next = 1
        self._intake: list[tuple[int, bytes, Message, Ack | None]] = []
        self._intake_bytes = 0
        self._done: list[int] = []
        self._ready: deque[int] = deque()
        """Committed rows waiting for the flow, in order."""
        self._cache: dict[int, Message] = {}
        self._sizes: dict[int, int] = {}
        """Sizes of the cached rows (the others' are read with their body)."""
        self._work = asyncio.Event()
        self._fed = asyncio.Event()
        self._flow_room = asyncio.Event()
        self._flow_room.set()
        self._failed: list[int] = []
        self._rounds = 0
        self._retry: Timer | None = None
        self._bypass_until = 0.0
        self._warned: set[str] = set()
        self._committer: asyncio.Task[None] | None = None
        self._feeder: asyncio.Task[None] | None = None
        self._closing = False
        self._empty = asyncio.Event()
        self._busy = False
        self._thread = ThreadPoolExecutor(1, thread_name_prefix=f"flowrt-journal-{node_id}")

    def _run(self, call: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Run a call on the file on the journal's own thread: one at a time, in order."""
        return asyncio.get_running_loop().run_in_executor(self._thread, call, *args)

    # opening -----------------------------------------------------------------------------

    async def open(self) -> int:
        """Open the file and queue what an earlier run left; returns how many rows that is."""
        rows, size, last = await self._run(self.file.open)
        self.rows, self.bytes, self._next = rows, size, last + 1
        if rows:
            self._ready.extend(await self._run(self.file.ids))
        loop = asyncio.get_running_loop()
        self._committer = loop.create_task(self._commit_loop(), name=f"journal:{self.node_id}")
        self._feeder = loop.create_task(self._feed_loop(), name=f"journal-feed:{self.node_id}")
        return rows

    # intake (what run_source calls) ------------------------------------------------------

    @property
    def full(self) -> bool:
        return not self.room.is_set()

    def take(self, node_id: str, msg: Message, ack: Ack | None) -> None:
        """A message the source read: into the intake, to be committed, then acknowledged."""
        if self._closing or time.monotonic() < self._bypass_until or ack is None:
            self.rt.emit_source(node_id, msg, ack)
            return
        try:
            body = encode(msg)
        except (TypeError, ValueError) as exc:
            self._warn("encode", f"a message could not be journaled ({exc}); it goes to the "
                       "flow directly, acknowledged to the broker once finished")
            self.rt.emit_source(node_id, msg, ack)
            return
        row = self._next
        self._next += 1
        self._intake.append((row, body, msg, ack))
        self._intake_bytes += len(body)
        self._work.set()
        self._check_room()

    def _check_room(self) -> None:
        count = self.rows + len(self._intake)
        size = self.bytes + self._intake_bytes
        limits = self.settings
        if count >= limits.max_messages or size >= limits.max_bytes:
            if self.room.is_set():
                self.room.clear()
                self._warn("full", f"the journal is full ({count} messages, {size >> 20} MiB; "
                           f"limits {limits.max_messages} messages, {limits.max_bytes >> 20} "
                           "MiB): the source stops reading ahead and the broker holds the rest "
                           "(Mosquitto drops beyond max_queued_messages, 1,000 by default); "
                           "raise --journal-max-messages / --journal-max-bytes, or make the "
                           "flow faster")
        elif not self.room.is_set():
            self.room.set()
            self._warned.discard("full")
            self.rt.log_node(self.node_id, "info", "the journal has room again: reading ahead",
                             None)

    # committing --------------------------------------------------------------------------

    async def _commit_loop(self) -> None:
        while True:
            if not self._intake and len(self._done) < DELETE_BATCH:
                self._work.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._work.wait(), DELETE_DELAY if self._done else None)
                if not self._intake and not self._done:
                    continue
            await self._commit()

    async def _commit(self) -> None:
        batch, self._intake, self._intake_bytes = self._intake, [], 0
        done, self._done = self._done, []
        rows = [(row, body) for row, body, _, _ in batch]
        try:
            await asyncio.shield(self._run(self.file.commit, rows, done))
        except (sqlite3.Error, OSError) as exc:
            self._done = done + self._done
            self._bypass_until = time.monotonic() + BYPASS
            self._warn("commit", f"the journal {self.path} could not be written ({exc}): "
                       f"{len(batch)} message(s) go to the flow directly, acknowledged to the "
                       f"broker once finished, as without a journal; trying again in {BYPASS:g} "
                       "s (free disk space, or check the state directory)")
            for _, _, msg, ack in batch:
                self.rt.emit_source(self.node_id, msg, ack)
            self._check_room()
            return
        self._warned.discard("commit")
        for row, body, msg, ack in batch:
            self.rows += 1
            self.bytes += len(body)
            if len(self._cache) < CACHE:
                self._cache[row] = msg
                self._sizes[row] = len(body)
            self._ready.append(row)
            if ack is not None:
                try:
                    await ack.ack()
                except Exception as exc:  # the row is kept: the flow still gets it
                    self._warn("ack", f"acknowledging to the broker failed: {exc!r}")
        self._fed.set()
        self._check_room()

    # feeding the flow --------------------------------------------------------------------

    async def _feed_loop(self) -> None:
        """Feed the flow, counting as a busy source (:mod:`flowrt.run.inflow`) from a message
        fed until it waits for the next: sinks fill their batches while it feeds."""
        try:
            await self._feed()
        finally:
            if self._busy:
                self._busy = False
                self.rt.inflow.rest()

    async def _feed(self) -> None:
        rt = self.rt
        emit = rt.emit_source
        count = 0
        while True:
            if not self._ready or rt.full or self.in_flow >= IN_FLOW:
                if self._busy:
                    self._busy = False
                    rt.inflow.rest()
                while not self._ready:
                    self._fed.clear()
                    await self._fed.wait()
                if rt.full:
                    await rt.room.wait()
                if self.in_flow >= IN_FLOW:
                    self._flow_room.clear()
                    await self._flow_room.wait()
                continue
            row = self._ready[0]
            msg = self._cache.pop(row, None)
            if msg is None:
                await self._load()
                continue
            self._ready.popleft()
            self.in_flow += 1
            if not self._busy:
                self._busy = True
                rt.inflow.took()
            emit(self.node_id, msg, JournalAck(self, row, self._sizes.pop(row, 0)))
            count += 1
            if count % FEED_YIELD == 0:
                await asyncio.sleep(0)

    async def _load(self) -> None:
        """Read the next rows not in memory back from the file."""
        wanted = [r for r in list(self._ready)[:LOAD] if r not in self._cache]
        bodies = await self._run(self.file.load, wanted)
        for row in wanted:
            body = bodies.get(row)
            if body is None:  # gone meanwhile (finished by an earlier run's late ack)
                with contextlib.suppress(ValueError):
                    self._ready.remove(row)
                continue
            try:
                self._cache[row] = decode(body)
            except ValueError as exc:
                self._warn("decode", f"row {row} of {self.path} is not a message ({exc}); "
                           "it is deleted")
                self._ready.remove(row)
                self._done.append(row)
                self.rows -= 1
                continue
            self._sizes[row] = len(body)

    def settled(self, ack: JournalAck, failed: bool) -> None:
        """The flow finished (or failed) a message fed from the journal."""
        self.in_flow -= 1
        if not self._flow_room.is_set() and self.in_flow < IN_FLOW:
            self._flow_room.set()
        if not self.in_flow:
            self._empty.set()
        if failed:
            self._failed.append(ack.row)
            if self._retry is None:
                delay = min(RETRY_MOST, RETRY_FIRST * 2**self._rounds)
                self._rounds += 1
                self._retry = self.rt.clock.call_later(delay, self._feed_again)
            return
        if not self._failed:
            self._rounds = 0
        self.rows -= 1
        self.bytes -= ack.size
        self._done.append(ack.row)
        if len(self._done) == 1 or len(self._done) >= DELETE_BATCH:
            self._work.set()
        if self.full:
            self._check_room()

    async def drained(self) -> None:
        """Wait until every row was fed and finished (after a source that ended)."""
        while self._ready or self._intake or self.in_flow or self._failed:
            self._empty.clear()
            await self._empty.wait()

    def _feed_again(self) -> None:
        self._retry = None
        if self._closing:
            return
        failed, self._failed = self._failed, []
        self._ready.extend(failed)
        self._fed.set()

    # stopping ----------------------------------------------------------------------------

    async def stop_reading(self) -> None:
        """The source stops: feed nothing more; the commit under way completes (its messages
        are acknowledged); what the intake still holds is left unacknowledged (the broker sends
        it again)."""
        self._closing = True
        if self._feeder is not None:
            self._feeder.cancel()
        if self._retry is not None:
            self._retry.cancel()
        self._intake, self._intake_bytes = [], 0
        self._check_room()

    async def close(self) -> None:
        """After the flow drained: delete what it finished, and close the file."""
        self._closing = True
        if self._committer is not None:
            self._committer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._committer
            self._committer = None
        done, self._done = self._done, []
        try:
            if done:
                await self._run(self.file.commit, [], done)
        except (sqlite3.Error, OSError) as exc:
            log.warning("journal %s: could not delete %d finished message(s) (%s); they are "
                        "fed again on the next start", self.path, len(done), exc)
        finally:
            await self._run(self.file.close)
            self._thread.shutdown(wait=False)

    def _warn(self, key: str, text: str) -> None:
        """Warn once per kind of trouble (a full journal, a failed commit: once until it
        ends)."""
        if key not in self._warned:
            self._warned.add(key)
            self.rt.log_node(self.node_id, "warning", text, None)
