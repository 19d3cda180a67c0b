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
reconnect), given the journal's intake in the flow's place for where messages go and when to
pause (:mod:`flowrt.run.journal_intake`). The feeding is :mod:`flowrt.run.journal_feed`. The
journal is closed by a close hook it declares to the runtime, once the flow drained.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from flowrt.api import Ack
from flowrt.run.journal_feed import Feed
from flowrt.run.journal_file import JournalFile, JournalSettings, encode
from flowrt.types import Message

if TYPE_CHECKING:
    from flowrt.run.clock import Clock
    from flowrt.run.ports import Intake, LogNode

log = logging.getLogger("flowrt.run")
T = TypeVar("T")
DELETE_BATCH = 512
"""Finished rows deleted at once; fewer are deleted after DELETE_DELAY."""
DELETE_DELAY = 0.05
BYPASS = 5.0
"""Seconds messages go to the flow directly after a commit failed, before the next try."""


class Journal:
    """One source's journal: its intake (``take``, ``full``, ``room``: what a reading loop
    reads into), its commits, and the feeding of its rows to the flow (``feed``).

    ``flow`` is the runtime's intake: where the journal feeds its rows, and where a message it
    cannot take goes directly. ``log_node`` takes its warnings, ``clock`` times its retries."""

    def __init__(
        self, node_id: str, path: Path, settings: JournalSettings, *,
        flow: Intake, clock: Clock, log_node: LogNode,
    ) -> None:
        self.node_id = node_id
        self.path = path
        self.settings = settings
        self.file = JournalFile(path)
        self._flow = flow
        self._log_node = log_node
        self.room = asyncio.Event()
        self.room.set()
        self.rows = 0
        """Rows in the file not yet finished."""
        self.bytes = 0
        self._next = 1
        self._intake: list[tuple[int, bytes, Message, Ack | None]] = []
        self._intake_bytes = 0
        self._done: list[int] = []
        self._work = asyncio.Event()
        self._bypass_until = 0.0
        self._warned: set[str] = set()
        self._committer: asyncio.Task[None] | None = None
        self.closing = False
        self.feed = Feed(self, node_id, flow, clock)
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
            self.feed.ready.extend(await self._run(self.file.ids))
        loop = asyncio.get_running_loop()
        self._committer = loop.create_task(self._commit_loop(), name=f"journal:{self.node_id}")
        self.feed.start()
        return rows

    # intake (what run_source calls) ------------------------------------------------------

    @property
    def full(self) -> bool:
        return not self.room.is_set()

    def take(self, node_id: str, msg: Message, ack: Ack | None) -> None:
        """A message the source read: into the intake, to be committed, then acknowledged."""
        if self.closing or time.monotonic() < self._bypass_until or ack is None:
            self._flow.emit_source(node_id, msg, ack)
            return
        try:
            body = encode(msg)
        except (TypeError, ValueError, RecursionError) as exc:  # RecursionError: circular
            self._warn("encode", f"a message could not be journaled ({exc}); it goes to the "
                       "flow directly, acknowledged to the broker once finished")
            self._flow.emit_source(node_id, msg, ack)
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
            self._log_node(self.node_id, "info", "the journal has room again: reading ahead",
                           None)

    # committing --------------------------------------------------------------------------

    async def _commit_loop(self) -> None:
        while True:
            if not self._intake and len(self._done) < DELETE_BATCH:
                self._work.clear()
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(DELETE_DELAY if self._done else None):
                        await self._work.wait()
                if not self._intake and not self._done:
                    continue
            await self._commit()

    async def _commit(self) -> None:
        batch, size, self._intake, self._intake_bytes = self._intake, self._intake_bytes, [], 0
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
                self._flow.emit_source(self.node_id, msg, ack)
            self._check_room()
            return
        self._warned.discard("commit")
        self.rows += len(batch)
        self.bytes += size
        self.feed.committed(batch)
        for _, _, _, ack in batch:
            if ack is not None:
                try:  # in place when it can be (mqtt-in's can): no coroutine per message
                    now = getattr(ack, "settle", None)
                    if now is not None:
                        now(False)
                    else:
                        await ack.ack()
                except Exception as exc:  # the row is kept: the flow still gets it
                    self._warn("ack", f"acknowledging to the broker failed: {exc!r}")
        self.feed.wake()
        self._check_room()

    # what the feed asks (flowrt.run.journal_feed.Rows) ---------------------------------

    def load(self, rows: list[int]) -> asyncio.Future[dict[int, bytes]]:
        """The bodies of ``rows`` still in the file."""
        return self._run(self.file.load, rows)

    def finished(self, row: int, size: int) -> None:
        """The flow finished ``row``: it is deleted with the next commit."""
        self.rows -= 1
        self.bytes -= size
        self._done.append(row)
        if len(self._done) == 1 or len(self._done) >= DELETE_BATCH:
            self._work.set()
        if self.full:
            self._check_room()

    def unreadable(self, row: int, exc: ValueError) -> None:
        """``row`` is not a message: it is deleted."""
        self._warn("decode", f"row {row} of {self.path} is not a message ({exc}); it is deleted")
        self._done.append(row)
        self.rows -= 1

    async def drained(self) -> None:
        """Wait until every row was fed and finished (after a source that ended)."""
        while self._intake or self.feed.pending:
            await self.feed.emptied()

    # stopping ----------------------------------------------------------------------------

    async def stop_reading(self) -> None:
        """The source stops: feed nothing more; the commit under way completes (its messages
        are acknowledged); what the intake still holds is left unacknowledged (the broker sends
        it again)."""
        self.closing = True
        self.feed.stop()
        self._intake, self._intake_bytes = [], 0
        self._check_room()

    async def close(self) -> None:
        """After the flow drained: delete what it finished, and close the file (the journal's
        close hook, :mod:`flowrt.run.journal_intake`)."""
        self.closing = True
        committer, self._committer = self._committer, None
        if committer is not None:
            committer.cancel()
            await asyncio.wait({committer})  # a cancellation of close() itself goes through
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
            self._log_node(self.node_id, "warning", text, None)
