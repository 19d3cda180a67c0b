"""The switch's "recreate message sequences" (Node-RED's ``repair``).

A message of a sequence (``msg.parts`` with an ``id`` and an ``index``) is kept, as a copy, until
its sequence is complete: until as many messages as ``parts.count`` (given by any of them) have
arrived. Then each is routed, in the order they arrived, with ``parts.count`` set; the messages
each output gets form a new sequence of their own: a new ``parts.id`` per output, ``index``
counting from 0 and ``count`` the number that output got, as Node-RED does. A message whose rules
fail is reported and left out. At most ``limit`` messages are kept at once; past that every kept
message is dropped and the switch reports an error, as Node-RED does with its
``nodeMessageBufferMaxLength``.

A switch with a ``tail`` rule keeps sequences the same way (a message's place from the end needs
the count), as Node-RED does, but sends the messages as they are, with ``parts.count`` set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowrt.api import Message, NodeContext, NodeError, clone, new_msgid

from .message_sequence import SequenceStore, parts_of

Route = Callable[[Message], list[Any]]
"""The switch's rules: a message in, per output the message or None."""


class SequenceRebuilder:
    """Keeps the messages of each sequence until it is complete, then sends them regrouped."""

    def __init__(
        self, ctx: NodeContext, route: Route, ports: int, limit: int, regroup: bool = True
    ) -> None:
        self.ctx = ctx
        self.route = route
        self.ports = ports
        self.limit = limit
        self.regroup = regroup
        self.sequences = SequenceStore(limit)

    def take(self, msg: Message) -> bool:
        """Keep ``msg`` when it belongs to a sequence (True), sending the sequence once it is
        complete; False when it has no ``parts.id`` and ``parts.index`` (route it as it is)."""
        parts = parts_of(msg)
        if parts is None or "index" not in parts:
            return False
        kept = clone(msg)
        self.ctx.hold(kept)
        sequence = self.sequences.add(kept, kept["parts"])
        if sequence.complete:
            self.sequences.remove(sequence)
            self._send(sequence.messages, len(sequence.messages))
        elif self.sequences.over_limit:
            dropped = self.sequences.clear()
            for other in dropped[:-1]:
                self.ctx.done(other)
            self.ctx.done(dropped[-1], NodeError(
                f"switch: more than {self.limit} messages of incomplete sequences kept; "
                "dropped them all"))
        return True

    def _send(self, held: list[Message], count: int) -> None:
        routed: list[tuple[Message, list[Any]]] = []
        for msg in held:
            msg["parts"]["count"] = count
            try:
                routed.append((msg, self.route(msg)))
            except Exception as exc:  # noqa: BLE001 - reported for that message, as Node-RED
                self.ctx.done(msg, exc)
        if not self.regroup:
            for msg, out in routed:
                self.ctx.send(out, origin=msg)
                self.ctx.done(msg)
            return
        counts = [sum(1 for _, out in routed if out[port] is not None)
                  for port in range(self.ports)]
        ids = [new_msgid() for _ in range(self.ports)]
        indexes = [0] * self.ports
        for msg, out in routed:
            ports: list[Any] = [None] * self.ports
            for port in range(self.ports):
                if out[port] is not None:
                    copy = clone(msg)
                    copy["parts"].update(id=ids[port], index=indexes[port], count=counts[port])
                    indexes[port] += 1
                    ports[port] = copy
            if any(p is not None for p in ports):
                self.ctx.send(ports, origin=msg)
        for msg, _ in routed:
            self.ctx.done(msg)

    def release(self) -> None:
        """Let go of every kept message (at stop)."""
        for msg in self.sequences.clear():
            self.ctx.done(msg)
