"""Received messages: routing them to the mqtt-in nodes of a connection, acknowledging them once
the engine settled them, and having the broker redeliver those the flow failed on.

A QoS 1 message is acknowledged (PUBACK) when every node it went to settled it. A message the
flow failed on is not: with a persistent session (``clean_session: false``) the broker sends it
again when the client connects again. So once every message in hand is settled, the connection
reconnects to have them redelivered: 1 s later, doubling to 60 s while failures go on, back to
1 s once a message succeeds with none failed. QoS 2 messages are acknowledged on arrival: the
protocol cannot redeliver them once the broker sent PUBREL, so holding PUBCOMP gains nothing.

Everything here runs on the event loop (the session hands paho's callbacks over).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flowrt.api import ConfigError, NodeContext, Timer

from .mqtt_topics import matches, parse_filter

REDELIVERY_FIRST, REDELIVERY_MOST = 1.0, 60.0


class Subscription:
    """An mqtt-in node's topic filter, and where its messages and connection losses go."""

    def __init__(
        self,
        text: str,
        qos: int,
        deliver: Callable[[Any, Incoming | None], None],
        lost: Callable[[BaseException], None],
    ) -> None:
        self.text = text
        self.filter = parse_filter(text).filter
        self.qos = qos
        self.deliver = deliver
        self.lost = lost
        self.active = True
        self.ident = 0
        """The MQTT 5 subscription identifier: which subscription a message answers."""
        self.options: Any = None
        """MQTT 5 subscription options (paho ``SubscribeOptions``: QoS, no local, retain as
        published, retain handling), or None for the QoS alone."""
        self.client: Any = None
        """The paho client whose SUBACK granted this subscription (None: not subscribed now)."""
        self.error: ConfigError | None = None


class Incoming:
    """The acknowledgement of one QoS 1 message, shared by the nodes it was routed to."""

    __slots__ = ("inbox", "client", "mid", "left", "failed")

    def __init__(self, inbox: Inbox, client: Any, mid: int, left: int) -> None:
        self.inbox = inbox
        self.client = client
        self.mid = mid
        self.left = left
        self.failed = False

    async def ack(self) -> None:
        self._settle(False)

    async def nack(self, requeue: bool = True) -> None:
        self._settle(requeue)

    def settle(self, failed: bool) -> None:
        """ack() or nack(), in place (see :class:`flowrt.api.Ack`)."""
        self._settle(failed)

    def _settle(self, failed: bool) -> None:
        self.failed = self.failed or failed
        self.left -= 1
        if self.left == 0:
            self.inbox.settled(self)


class Inbox:
    def __init__(
        self,
        ctx: NodeContext,
        keeps_session: bool,
        redeliver: Callable[[int], None],
        window: int | None = None,
        where: str = "",
    ) -> None:
        self.ctx = ctx
        self.window = window
        """MQTT 5: the receive maximum the broker was asked to keep to (None: not known)."""
        self.where = where
        self._overrun_warned = False
        self.keeps_session = keeps_session
        self._redeliver_with = redeliver
        """Called with the number of failed messages: reconnect so the broker resends them."""
        self.subs: list[Subscription] = []
        self._idents = 0
        self.client: Any = None
        """The connected paho client; messages and acknowledgements of any other are stale."""
        self._unsettled = 0
        self._failed = 0
        self._rounds = 0
        self._timer: Timer | None = None
        self._due = False
        self._stray_warned = False

    def add(self, sub: Subscription) -> None:
        if sub not in self.subs:
            self._idents += 1
            sub.ident = self._idents  # never one a removed subscription had
            self.subs.append(sub)
        sub.active = True

    def remove(self, sub: Subscription) -> None:
        """Forget ``sub`` (unsubscribed from the broker): its messages go nowhere any more."""
        sub.active = False
        if sub in self.subs:
            self.subs.remove(sub)

    def connected(self, client: Any) -> None:
        """A new connection: what was in hand on the old one comes again, unacknowledged."""
        self.client = client
        self._unsettled = self._failed = 0
        self._due = False

    def lost(self, error: BaseException | None) -> None:
        """The connection ended; tell the subscribed nodes, unless it was closed (``None``)."""
        self.client = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for sub in self.subs:
            sub.client = None
            if sub.active and error is not None:
                sub.lost(error)

    def receive(self, client: Any, message: Any) -> None:
        if client is not self.client:
            return  # not acknowledged: the broker sends it again on the next connection
        qos = message.qos
        if qos == 2:
            client.ack(message.mid, 2)
        try:
            topic = message.topic
        except UnicodeDecodeError:
            self.ctx.warn(f"dropped a message whose topic is not UTF-8: {message._topic!r}")
            if qos == 1:
                _acknowledge(client, message.mid)
            return
        idents = getattr(message.properties, "SubscriptionIdentifier", None)
        if idents:
            targets = [s for s in self.subs if s.active and s.ident in idents]
        else:
            targets = [s for s in self.subs if s.active and matches(s.filter, topic)]
        if not targets:
            self._stray(client, message, topic)
            return
        ack = None
        if qos == 1:
            ack = Incoming(self, client, message.mid, len(targets))
            self._unsettled += 1
            if self.window is not None and self._unsettled > self.window:
                self._overrun()
        for sub in targets:
            sub.deliver(message, ack)

    def _overrun(self) -> None:
        """The broker sent more unacknowledged messages than the receive maximum (the network
        loop reads on while a publish or a subscription waits for the broker): they are kept,
        refusing them would lose them, but say once that the window no longer bounds them."""
        if not self._overrun_warned:
            self._overrun_warned = True
            self.ctx.warn(
                f"the MQTT broker at {self.where} sent {self._unsettled} unacknowledged QoS 1 "
                f"messages, more than the connection's receive_maximum ({self.window}), while "
                "this connection waited for it on a publish: they are kept until the flow "
                "finishes them (a broker fault; Mosquitto 2.0.11 refills its whole window on "
                "each acknowledgement of its oldest message)"
            )

    def _stray(self, client: Any, message: Any, topic: str) -> None:
        if any(matches(s.filter, topic) for s in self.subs):
            return  # its mqtt-in is stopping: leave it for the next connection
        if message.qos == 1:
            _acknowledge(client, message.mid)
        if not self._stray_warned:
            self._stray_warned = True
            self.ctx.warn(
                f"a message on '{topic}' matches no mqtt-in node of this connection (a "
                "subscription left in the broker's session by an earlier flow?); it was "
                "acknowledged and dropped"
            )

    def settled(self, incoming: Incoming) -> None:
        """The engine settled a QoS 1 message: acknowledge it, or keep it for redelivery."""
        client = incoming.client
        if client is not self.client:
            return  # its connection is gone: the broker redelivers it anyway
        self._unsettled -= 1
        if incoming.failed and self.keeps_session:
            self._failed += 1
        else:
            _acknowledge(client, incoming.mid)
            if self._failed == 0:
                self._rounds = 0
        if self._failed and self._unsettled == 0:
            if self._due:
                self._redeliver()
            elif self._timer is None:
                delay = min(REDELIVERY_MOST, REDELIVERY_FIRST * 2**self._rounds)
                self._rounds += 1
                self._timer = self.ctx.call_later(delay, self._redeliver_due)

    def _redeliver_due(self) -> None:
        self._timer = None
        self._due = True
        if self._unsettled == 0:
            self._redeliver()

    def _redeliver(self) -> None:
        self._due = False
        if self.client is not None and self._failed:
            self._redeliver_with(self._failed)


def _acknowledge(client: Any, mid: int) -> None:
    """PUBACK a QoS 1 message, and tell the client's network loop (its user data) that it
    may read one more."""
    client.ack(mid, 1)
    network = client.user_data_get()
    if network is not None:
        network.acknowledged()
