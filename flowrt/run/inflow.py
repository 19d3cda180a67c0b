"""Whether more input is on its way: a sink writes its batch as soon as none is.

A sink groups messages into batches (``batch_size``, ``batch_interval``): one request for many
messages is what makes a database sink fast. But a batch that waits for messages that are not
coming only adds latency, and when its messages hold a broker's acknowledgement window (the
broker sends no more until they are written and acknowledged), the wait is a stall: a stock
Mosquitto sends a client 20 unacknowledged QoS 1 messages, so a sink waiting one second for
1,000 stopped the whole pipeline for that second, again and again, while the broker's queue
overflowed.

So a sink waits for its batch to fill only while messages are coming. The engine knows when
they are: a source is *busy* from the moment a read returns a message until it asks for the
next one and finds none at hand, and an asynchronous transform while it holds messages. When
no source is busy and no asynchronous transform holds anything, nothing more can reach a sink
before the next message arrives from outside, and every sink waiting on a partial batch writes
it at once. Under load, sources stay busy through each burst the network hands over, and while
a sink writes, the next batch gathers behind it: batches grow with the rate and shrink with it,
with no interval to tune. ``batch_interval`` remains the longest a message waits for a batch
while messages keep coming, and ``batch_size`` the largest batch.

This needs no knowledge of a broker's limits: a full acknowledgement window makes the source
wait for input like any pause of the publishers. (:mod:`flowrt.run.windows` still tells sinks
at once when a window it knows of is full.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flowrt.run.queue import NodeQueue
    from flowrt.run.windows import Windows


class Inflow:
    def __init__(self) -> None:
        self.busy = 0
        """Sources that returned a message and have not yet asked for the next one."""
        self.transforms: list[NodeQueue] = []
        """The asynchronous transforms' queues: messages in them are still on their way."""
        self.filling: set[NodeQueue] = set()
        """The sinks' queues waiting for a partial batch to fill."""

    def idle(self) -> bool:
        """True when no message is on its way to a sink: a partial batch waits for nothing."""
        if self.busy:
            return False
        return not any(q.items or q.busy for q in self.transforms)

    def took(self) -> None:
        """A source's read returned a message: it is busy until it reads again."""
        self.busy += 1

    def rest(self) -> None:
        """A busy source asks for its next message (or stops): if it was the last one busy,
        wake the sinks waiting on a partial batch, to write it unless more is on its way."""
        self.busy -= 1
        if not self.busy and self.filling:
            self.settle()

    def settle(self) -> None:
        """Wake the sinks waiting on a partial batch, to look again whether more is coming."""
        for queue in self.filling:
            queue.wake()

    def drained(self) -> None:
        """An asynchronous transform's queue ran dry: it may have held the last message."""
        if self.filling and self.idle():
            self.settle()

    def sink(self, queue: NodeQueue, windows: Windows) -> None:
        """``queue`` is a sink's: its batches stop waiting when no more input is on its way,
        or when an acknowledgement window is full."""
        full = windows.full
        idle = self.idle
        queue.starved = lambda: idle() or full()
        queue.filling = self.filling
        windows.queues.append(queue)

    def transform(self, queue: NodeQueue) -> None:
        """``queue`` is an asynchronous transform's: what it holds is on its way."""
        self.transforms.append(queue)
        queue.drained = self.drained
