"""Acknowledgement windows: sinks stop waiting for a full batch when no more can come.

A source reading from a broker that limits how many messages may be unacknowledged at once
(AMQP ``prefetch``, the MQTT receive maximum) declares that window (:meth:`Source.window`).
The runtime counts, per window, the messages of such sources still in the flow. When a window is
full the broker sends nothing more until some of them are acknowledged, and they are only
acknowledged once written: a sink waiting out its ``batch_interval`` for a batch to fill would
wait for nothing, every time (a prefetch of 100 in front of a batch of 500 made each batch wait
its whole interval). So a full window tells every sink waiting on a partial batch to write it now.
Batches stay as large as the window allows; nothing waits on a timer it cannot beat.

A window the engine is not told of (Mosquitto sends a client at most 20 unacknowledged
messages, whatever the client's receive maximum) stalls nothing either: the source then waits
for input with nothing at hand, which is what :mod:`flowrt.run.inflow` watches for. A declared
window only says it one step sooner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowrt.run.delivery import Delivery
    from flowrt.run.queue import NodeQueue


class Windows:
    def __init__(self) -> None:
        self.by_source: dict[str, list[int]] = {}
        """Source node id -> its window's [messages in the flow, limit]."""
        self._counters: dict[str, list[int]] = {}
        self.queues: list[NodeQueue] = []
        """The sinks' queues, told to write a partial batch when a window fills."""

    def add(self, node_id: str, key: str, limit: int) -> None:
        """Source ``node_id`` reads through the window ``key`` (shared by the sources of one
        connection when the limit is the connection's) of ``limit`` messages."""
        counter = self._counters.setdefault(key, [0, max(1, limit)])
        counter[1] = min(counter[1], max(1, limit))
        self.by_source[node_id] = counter

    def full(self) -> bool:
        """True while some window is full: a sink's batch would wait for nothing."""
        return any(count >= limit for count, limit in self._counters.values())

    def took(self, node_id: str, delivery: Delivery) -> None:
        """A message of ``node_id`` entered the flow, to be acknowledged when finished."""
        counter = self.by_source[node_id]
        delivery.window = counter
        counter[0] += 1
        if counter[0] >= counter[1]:
            for queue in self.queues:
                queue.write_now()
