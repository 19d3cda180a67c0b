"""Delivery: what the engine tracks for each message a source produced, until it is finished.

One Delivery is made per message a source reads (or a timer starts). It counts the places that
still hold the message or a message made from it: the synchronous call tree it is dispatched
through, each queue of an asynchronous node it waits in, and each ``ctx.hold``. Synchronous hops
cost nothing: a fused chain runs inside the source's own hold. When the count falls to zero the
source's acknowledgement is settled: ``ack()``, or ``nack()`` when a node failed on it and no
``catch`` node took the error.

A message made from several (a join) gets a Delivery whose parents are those messages'
deliveries; each parent is held until the joined message is finished.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flowrt.api import Ack

log = logging.getLogger("flowrt.run")


class Delivery:
    __slots__ = ("pending", "ack", "failed", "parents", "window", "_finished")

    def __init__(
        self,
        finished: Callable[[Delivery], None],
        ack: Ack | None = None,
        parents: tuple[Delivery, ...] = (),
    ) -> None:
        self.pending = 1
        self.ack = ack
        self.failed = False
        self.parents = parents
        self.window: list[int] | None = None
        """The acknowledgement window the message counts in (:mod:`flowrt.run.windows`)."""
        self._finished = finished
        for parent in parents:
            parent.pending += 1

    def release(self) -> None:
        self.pending -= 1
        if self.pending == 0:
            for parent in self.parents:
                if self.failed:
                    parent.failed = True
                parent.release()
            self._finished(self)

    @property
    def done(self) -> bool:
        return self.pending <= 0


def settle(ack: Ack, failed: bool, spawn: Callable[[Coroutine[Any, Any, Any]], None]) -> None:
    """Acknowledge (or, when ``failed``, nack) a source's message. An acknowledgement that
    settles without waiting offers ``settle(failed)``, called in place; any other's ``ack()`` or
    ``nack()`` runs in a task of its own (``spawn``), which costs several microseconds a
    message."""
    now = getattr(ack, "settle", None)
    if now is not None:
        try:
            now(failed)
        except Exception as exc:  # as a task's failure would be: logged, the flow goes on
            log.error("acknowledgement failed: %r", exc)
    else:
        spawn(ack.nack() if failed else ack.ack())
