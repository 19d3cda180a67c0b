"""Settling deliveries of amqp-in: the acknowledgement object the engine settles, and the
count of redeliveries that ``max_redeliveries`` is checked against."""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .amqp_client import AmqpClient
    from .amqp_in import AmqpIn


class Delivery:
    """One message read from the broker, settled by the engine once the flow is done with it:
    ``ack()`` when every branch finished, ``nack()`` when one failed (and no catch node took
    the error). The node decides what a nack does (its ``on_error`` policy)."""

    __slots__ = ("node", "acks", "method", "properties", "body")

    def __init__(
        self, node: AmqpIn, acks: Acks, method: Any, properties: Any, body: bytes
    ) -> None:
        self.node = node
        self.acks = acks
        self.method = method
        self.properties = properties
        self.body = body

    @property
    def tag(self) -> int:
        return int(self.method.delivery_tag)

    async def ack(self) -> None:
        self.node.settle(self, failed=False)

    async def nack(self, requeue: bool = True) -> None:
        self.node.settle(self, failed=True, requeue=requeue)

    def settle(self, failed: bool) -> None:
        """ack() or nack(), in place (see :class:`flowrt.api.Ack`)."""
        self.node.settle(self, failed=failed)

    def key(self) -> str:
        """What identifies the message across redeliveries: its message id, else a digest of
        where it was published and its body."""
        message_id = getattr(self.properties, "message_id", None)
        if message_id:
            return f"id:{message_id}"
        digest = hashlib.blake2b(digest_size=16)
        digest.update(f"{self.method.exchange}\0{self.method.routing_key}\0".encode())
        digest.update(self.body)
        return digest.hexdigest()

    def describe(self) -> str:
        message_id = getattr(self.properties, "message_id", None)
        if message_id:
            return f"message '{message_id}'"
        return f"the message with delivery tag {self.tag}"


class Acks:
    """The acknowledgements of one channel, coalesced: once per turn of the event loop, the
    oldest deliveries that are all acknowledged go as one ``basic.ack`` with ``multiple``
    (instead of a frame, and a socket write, per message). An acknowledged delivery behind one
    still in the flow is acknowledged on its own, so a slow message holds no others back.

    A multiple ack covers every unsettled delivery up to its tag, so each delivery is recorded
    when it arrives (:meth:`delivered`), and one leaves the record only when it is acknowledged
    by such an ack, or settled otherwise (:meth:`forget`, then a nack or an ack of its own)."""

    def __init__(self, client: AmqpClient) -> None:
        self.client = client
        self._unsettled: dict[int, bool] = {}
        """Delivery tag -> acknowledged by the flow (waiting to be sent), in delivery order."""
        self._scheduled = False

    def delivered(self, tag: int) -> None:
        self._unsettled[tag] = False

    def forget(self, tag: int) -> None:
        self._unsettled.pop(tag, None)

    def ack(self, tag: int) -> None:
        if tag in self._unsettled:
            self._unsettled[tag] = True
            if not self._scheduled:
                self._scheduled = True
                asyncio.get_running_loop().call_soon(self.flush)

    def flush(self) -> None:
        """Send what is acknowledged: the leading run as one multiple ack, the rest singly."""
        self._scheduled = False
        unsettled = self._unsettled
        run: list[int] = []
        for tag, acked in unsettled.items():
            if not acked:
                break
            run.append(tag)
        for tag in run:
            del unsettled[tag]
        if run:
            self.client.send("basic_ack", run[-1], multiple=len(run) > 1)
        for tag in [t for t, acked in unsettled.items() if acked]:
            del unsettled[tag]
            self.client.send("basic_ack", tag)


class Redeliveries:
    """How often messages were delivered before, for ``max_redeliveries``.

    A quorum queue counts for us (the ``x-delivery-count`` header); a classic queue only says
    whether a message was delivered before (``redelivered``). So this node also counts the
    failures it saw itself, per message (by message id, else by content), keeping the most
    recent ``limit`` messages: exact with one consumer, a lower bound when several share the
    queue (each sees only its part of the redeliveries).
    """

    def __init__(self, limit: int = 10_000) -> None:
        self.limit = limit
        self._failures: OrderedDict[str, int] = OrderedDict()

    def count(self, delivery: Delivery) -> int:
        """The number of times this message was delivered before this delivery, as far as
        the broker and this node know."""
        headers = getattr(delivery.properties, "headers", None) or {}
        from_broker = headers.get("x-delivery-count")
        counted = int(from_broker) if isinstance(from_broker, int) else 0
        flagged = 1 if delivery.method.redelivered else 0
        return max(counted, flagged, self._failures.get(delivery.key(), 0))

    def failed(self, delivery: Delivery) -> None:
        """Note a failure that sends the message back to the queue."""
        key = delivery.key()
        self._failures[key] = self._failures.get(key, 0) + 1
        self._failures.move_to_end(key)
        while len(self._failures) > self.limit:
            self._failures.popitem(last=False)

    def succeeded(self, delivery: Delivery) -> None:
        if self._failures:
            self._failures.pop(delivery.key(), None)
