"""The small interfaces the parts of a runtime meet through.

A runtime (:mod:`flowrt.run.runtime`) is made of parts, each owning its state: the node
instances (:mod:`flowrt.run.instantiate`), flow control (:mod:`flowrt.run.flow_control`), its
tasks (:mod:`flowrt.run.tasks`), its lifecycle (:mod:`flowrt.run.lifecycle`) and its events
(:mod:`flowrt.run.events`). A module is handed only the piece it needs. Where naming that piece
would mean importing the module that owns it (and, through it, often the module itself), it is
named by a protocol or a type here instead: this module imports no other part of the runtime
but :mod:`flowrt.run.delivery`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Hashable
from typing import TYPE_CHECKING, Any, Protocol

from flowrt.run.delivery import Delivery
from flowrt.types import Message

if TYPE_CHECKING:
    from flowrt.api import Ack

Input = Callable[[Message, Delivery], object]
"""A node's input: what an upstream node calls. Its return value means nothing to callers."""
Tap = Callable[[str, int, Message], None]
"""Called with (node, port, copy) for messages as they pass (tests)."""
Fail = Callable[[str, Message | None, Delivery | None, BaseException], None]
"""Fails a message in a node: to the catch nodes, else logged (:meth:`Events.fail`)."""
Completed = Callable[[str, Message, Delivery | None], None]
"""Tells the complete nodes watching a node that it finished a message."""
LogNode = Callable[[str, str, str, Message | None], None]
"""Logs a line of a node: (node id, level, text, message or None)."""
Close = Callable[[], Awaitable[None]]
OnClose = Callable[[str, Close], None]
"""Declares a close hook, ``(name, close)``: run at the very end of a stop, after the flow
drained and the connections closed (:meth:`flowrt.run.lifecycle.Lifecycle.on_close`)."""


class Phase(Protocol):
    """Where a runtime is in its life, as the other parts read it (the lifecycle changes it)."""

    @property
    def started(self) -> bool:
        """Every node started (until then the runtime is not idle)."""
        ...

    @property
    def stopping(self) -> bool:
        """A stop began: reading loops end."""
        ...

    @property
    def releasing(self) -> bool:
        """The nodes are stopping: a held message released now is given up (nacked)."""
        ...


class Deliveries(Protocol):
    """Where deliveries are made and come back once finished (flow control)."""

    def new_delivery(self, ack: Ack | None = None) -> Delivery: ...

    def finished(self, d: Delivery) -> None: ...

    def queue_full(self, queue: Hashable, full: bool) -> None:
        """A queue, or a node pacing what it holds, went over its bound (``full``) or back."""
        ...

    async def wait_room(self) -> None:
        """Return once no queue is over its bound (at once while the flow stops)."""
        ...


class Busy(Protocol):
    """Tells the sinks whether a reading loop holds a message (:mod:`flowrt.run.inflow`)."""

    def took(self) -> None: ...

    def rest(self) -> None: ...


class Intake(Protocol):
    """What a source's reading loop reads into: the flow (flow control), or a journal."""

    @property
    def inflow(self) -> Busy: ...

    @property
    def full(self) -> Collection[Any] | bool:
        """Truthy while there is no room for more: the loop waits for ``room``."""
        ...

    @property
    def room(self) -> asyncio.Event: ...

    def emit_source(self, node_id: str, msg: Message, ack: Ack | None) -> None: ...
