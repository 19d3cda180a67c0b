"""Flow control: what is in flight, whether there is room for more, and when all is idle.

Every message a source reads (or a timer starts) gets a :class:`~flowrt.run.delivery.Delivery`
and counts as in flight until it is finished; then its source's acknowledgement is settled (or,
for a source declared ``guarantee: at-most-once``, as soon as it is read). Sources wait for
``room`` while some queue is over its bound (:mod:`flowrt.run.queue`). A message of a source with
an acknowledgement window counts in it (:mod:`flowrt.run.windows`), and sinks know whether more
input is on its way (:mod:`flowrt.run.inflow`).

The runtime is idle once it started, every source is done, and no message, timer or task is
pending (``wait_idle``, ``--until-idle``). A stop drains: it waits until nothing moves.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Hashable
from typing import TYPE_CHECKING, Any

from flowrt.message import new_msgid
from flowrt.run.delivery import Delivery, settle
from flowrt.run.inflow import Inflow
from flowrt.run.windows import Windows
from flowrt.types import Message

if TYPE_CHECKING:
    from flowrt.api import Ack
    from flowrt.run.clock import Clock
    from flowrt.run.instantiate import Instances
    from flowrt.run.ports import Phase
    from flowrt.run.tasks import Tasks


class FlowControl:
    """The flow's intake (a :class:`flowrt.run.ports.Intake`), where deliveries are made and
    finished (a :class:`flowrt.run.ports.Deliveries`), and idle detection."""

    def __init__(
        self,
        clock: Clock,
        tasks: Tasks,
        phase: Phase,
        instances: Instances,
        ack_on_read: set[str],
    ) -> None:
        self._clock = clock
        self._tasks = tasks
        self._phase = phase
        self._contexts = instances.contexts
        self._queues = instances.queues
        self.ack_on_read = ack_on_read
        """Sources declared ``guarantee: at-most-once``: acknowledged as soon as read."""
        self.inflight = 0
        self.windows = Windows()
        self.inflow = Inflow()
        self.full: set[Hashable] = set()
        """The queues (and pacing nodes, :meth:`flowrt.run.context.NodeContext.pace`) over
        their bound: sources wait for ``room``."""
        self.room = asyncio.Event()
        self.room.set()
        self.waiting_room = 0
        """Nodes waiting in ``wait_room`` (for a flow test's clock: they wait on it too)."""
        self._idle = asyncio.Event()
        clock.on_idle = self.check_idle
        tasks.changed = self.check_idle

    # messages ----------------------------------------------------------------------------

    def new_delivery(self, ack: Ack | None = None) -> Delivery:
        self.inflight += 1
        return Delivery(self.finished, ack)

    def finished(self, d: Delivery) -> None:
        if not d.parents:
            self.inflight -= 1
        if d.window is not None:
            d.window[0] -= 1
        if d.ack is not None:
            settle(d.ack, d.failed, self._settle)
        if self.inflight == 0:
            self.check_idle()

    def _settle(self, coro: Coroutine[Any, Any, Any]) -> None:
        self._tasks.spawn(coro)

    def emit_source(self, node_id: str, msg: Message, ack: Ack | None) -> None:
        """A message a source read (or made) enters the flow."""
        if "_msgid" not in msg:
            msg["_msgid"] = new_msgid()
        if ack is not None and node_id in self.ack_on_read:
            settle(ack, False, self._settle)
            ack = None
        d = self.new_delivery(ack)
        if ack is not None and node_id in self.windows.by_source:
            self.windows.took(node_id, d)
        try:
            self._contexts[node_id].emit(msg, d)
        finally:
            d.release()

    # room --------------------------------------------------------------------------------

    def queue_full(self, queue: Hashable, full: bool) -> None:
        """A queue (or a pacing node) went over its bound (``full``), or back under it."""
        if full:
            self.full.add(queue)
            self.room.clear()
        else:
            self.full.discard(queue)
            if not self.full:
                self.room.set()

    async def wait_room(self) -> None:
        """Return once no queue is over its bound (the stop sets ``room`` too)."""
        if self.full:
            self.waiting_room += 1
            try:
                await self.room.wait()
            finally:
                self.waiting_room -= 1

    # idleness ----------------------------------------------------------------------------

    def is_idle(self) -> bool:
        return (
            self._phase.started
            and not self._tasks.sources
            and self.inflight == 0
            and self._clock.pending == 0
            and not self._tasks.spawned
        )

    def check_idle(self) -> None:
        if self.is_idle() or self.inflight == 0:
            self._idle.set()

    async def wait_idle(self) -> None:
        """Return once every source is done and no message, timer or task is pending."""
        while not self.is_idle():
            self._idle.clear()
            await self._idle.wait()

    async def drain(self, deadline: float) -> None:
        """Wait until nothing is moving: no queued or running work, only held messages left."""
        loop = asyncio.get_running_loop()
        queues = self._queues.values()
        while self.inflight > 0 and loop.time() < deadline:
            if not self._tasks.spawned and all(not q.items and not q.busy for q in queues):
                break
            self._idle.clear()
            try:
                async with asyncio.timeout(min(0.05, deadline - loop.time())):
                    await self._idle.wait()
            except TimeoutError:
                pass
