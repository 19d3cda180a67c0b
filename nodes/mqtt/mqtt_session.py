"""One ``mqtt-broker`` connection at run time: the paho client its nodes share, and the hand-over
between paho's network thread and the event loop.

paho's network traffic runs in a thread (:mod:`flowrt_nodes.mqtt.mqtt_network`, which stops reading
while the flow holds ``receive_maximum`` unacknowledged messages). paho's callbacks only append
to a queue and, when the queue was empty, wake the event loop once (``call_soon_threadsafe``):
a burst of messages costs one hand-over, not one per message. Everything else (routing
messages to the ``mqtt-in`` nodes, acknowledging, completing publishes) happens on the event
loop.

Connecting is asked for by the nodes: an ``mqtt-in`` in ``connect()``, an ``mqtt-out`` before a
write. A lost connection is reported (``read`` raises ConnectionLost, a write raises
NotConnected) and the engine asks again, with back-off. Each attempt makes a new paho client with
the same client id, so the broker resumes the session: subscriptions, and the QoS 1 messages it
sent that were not acknowledged, which it sends again.

Routing received messages and acknowledging them is :mod:`flowrt_nodes.mqtt.mqtt_inbox`'s part.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from collections.abc import Callable
from typing import Any

from flowrt.api import AuthFailed, ConfigError, ConnectionLost, NodeContext, NotConnected

from .mqtt_client import (
    AUTH_REASONS,
    Message,
    Settings,
    disconnect,
    end_session,
    is_refusal,
    make_client,
    new_properties,
    open_socket,
    orphaned,
    reason_text,
)
from .mqtt_inbox import Inbox, Subscription
from .mqtt_network import NetworkLoop

Status = Callable[[str | None, str | None, str], None]
STATUS = {
    "connecting": ("yellow", "ring", "connecting"),
    "connected": ("green", "dot", "connected"),
    "down": ("red", "ring", "disconnected"),
    "refused": ("red", "ring", "not authorised"),
}
PUBLISH_TIMEOUT = 30.0


class MqttSession:
    def __init__(self, settings: Settings, ctx: NodeContext) -> None:
        self.settings = settings
        self.ctx = ctx
        self.client: Any = None
        self.state = "idle"
        """idle, connecting, connected, down, refused or closed."""
        self.refused: AuthFailed | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._events: deque[tuple[Callable[..., None], tuple[Any, ...]]] = deque()
        self._wake = False
        self._connecting: asyncio.Task[None] | None = None
        self._connack: asyncio.Future[Any] | None = None
        self._waits: dict[int, asyncio.Future[Any]] = {}
        self._retired: list[Any] = []
        self._statuses: list[Status] = []
        self._restarting = ""
        window = settings.receive_maximum if settings.mqtt5 else None
        self.inbox = Inbox(ctx, not settings.clean_session, self._redeliver, window, settings.where)

    # status ------------------------------------------------------------------------------

    def watch(self, status: Status) -> None:
        """Show this connection's state in a node's status, now and on every change."""
        if status not in self._statuses:
            self._statuses.append(status)
            if self.state in STATUS:
                status(*STATUS[self.state])

    def _show(self, state: str) -> None:
        self.state = state
        if state != "connecting":  # the connection's gauge and reconnects in /metrics
            self.ctx.report_connection(state == "connected")
        for status in self._statuses:
            status(*STATUS[state])

    # connecting --------------------------------------------------------------------------

    async def connected(self) -> Any:
        """The connected paho client; connects first if needed. Raises NotConnected (the
        engine retries with back-off) or AuthFailed (it does not)."""
        if self.refused is not None:
            raise AuthFailed(str(self.refused))
        if self.state == "closed":
            raise NotConnected(f"the connection to {self.settings.where} is closed")
        if self.state == "connected":
            return self.client
        if self._connecting is None:
            task = asyncio.get_running_loop().create_task(self._connect())
            task.add_done_callback(lambda t: t.cancelled() or t.exception())
            self._connecting = task
        await asyncio.shield(self._connecting)
        if self.state != "connected":
            raise NotConnected(f"the connection to {self.settings.where} was lost at once")
        return self.client

    async def _connect(self) -> None:
        s = self.settings
        loop = self._loop = asyncio.get_running_loop()
        try:
            self._show("connecting")
            await self._join_retired()
            try:
                client = make_client(s)
            except OSError as exc:
                self._show("down")
                raise ConfigError(
                    f"cannot use the TLS files of the connection to {s.where}: {exc}; check "
                    "ca_file, cert_file and key_file"
                ) from exc
            self._hook(client)
            self.client = client
            self._connack = loop.create_future()
            try:
                await self._handshake(client)
            except BaseException:
                self.client = None
                self.inbox.lost(None)
                self._retire(client)
                if self.state != "closed":
                    self._show("refused" if self.refused else "down")
                raise
            self.state = "connected"
            await self._subscribe(client, [sub for sub in self.inbox.subs if sub.active])
            if self.state == "connected":
                self._show("connected")
                if s.birth is not None:
                    self._publish_own(client, s.birth)
        finally:
            self._connecting = None

    async def _handshake(self, client: Any) -> None:
        s = self.settings
        try:
            await asyncio.to_thread(open_socket, client, s)
        except ssl.SSLCertVerificationError as exc:
            raise NotConnected(
                f"the MQTT broker at {s.where} showed a certificate that was not accepted: "
                f"{exc.verify_message}; check the connection's ca_file (or, for a certificate "
                "that names another host, insecure: true)"
            ) from exc
        except ssl.SSLError as exc:
            raise NotConnected(
                f"the TLS handshake with the MQTT broker at {s.where} failed: "
                f"{exc.reason or exc}; is it a TLS port, and does it want a client certificate?"
            ) from exc
        except (OSError, ValueError) as exc:
            raise NotConnected(
                f"cannot reach the MQTT broker at {s.where}: {_describe(exc)}; is it running, "
                "and is the connection's url right?"
            ) from exc
        NetworkLoop(client, s.client_id, s.receive_maximum, self._must_read).start()
        assert self._connack is not None
        try:
            async with asyncio.timeout(s.connect_timeout):
                reason = await self._connack
        except TimeoutError as exc:
            raise NotConnected(
                f"the MQTT broker at {s.where} did not answer within {s.connect_timeout:g} s"
            ) from exc
        if is_refusal(reason):
            text = reason_text(reason)
            if reason.value in AUTH_REASONS:
                self.refused = AuthFailed(
                    f"the MQTT broker at {s.where} refused the connection ({text}): check the "
                    "connection's username and password"
                )
                raise self.refused
            raise NotConnected(f"the MQTT broker at {s.where} refused the connection ({text})")

    def _must_read(self) -> bool:
        """Called on the network thread: something waits for the broker's answer."""
        return bool(self._waits) or self.state != "connected"

    def _hook(self, client: Any) -> None:
        post = self._post
        client.on_connect = lambda c, _u, _f, reason, _p: post(self._on_connack, c, reason)
        client.on_disconnect = lambda c, _u, _f, reason, _p: post(self._on_lost, c, reason)
        client.on_message = lambda c, network, message: (
            network.received(message), post(self.inbox.receive, c, message))
        client.on_publish = lambda c, _u, mid, reason, _p: post(self._on_done, c, mid, reason)
        client.on_subscribe = lambda c, _u, mid, reasons, _p: post(self._on_done, c, mid, reasons)

    def _post(self, handler: Callable[..., None], *args: Any) -> None:
        """Called in paho's thread: queue an event for the loop, waking it if it may sleep."""
        self._events.append((handler, args))
        if not self._wake and self._loop is not None:
            self._wake = True
            with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens any more
                self._loop.call_soon_threadsafe(self._pump)

    def _pump(self) -> None:
        self._wake = False
        events = self._events
        while events:
            handler, args = events.popleft()
            handler(*args)

    def _on_connack(self, client: Any, reason: Any) -> None:
        if client is self.client and self._connack is not None and not self._connack.done():
            if not is_refusal(reason):
                self.inbox.connected(client)  # messages of a resumed session may follow at once
            self._connack.set_result(reason)

    def _on_lost(self, client: Any, reason: Any) -> None:
        if client is not self.client or self.state == "closed":
            return
        self.client = None
        self._retire(client)
        text = self._restarting or (
            f"the connection to the MQTT broker at {self.settings.where} was lost "
            f"({reason_text(reason)})"
        )
        self._restarting = ""
        error = ConnectionLost(text)
        if self._connack is not None and not self._connack.done():
            self._connack.set_exception(NotConnected(text))
        self._fail_waits(error)
        was = self.state
        self.state = "down"
        if was == "connected":
            self._show("down")
        self.inbox.lost(error)

    def _fail_waits(self, error: BaseException) -> None:
        waits, self._waits = self._waits, {}
        for future in waits.values():
            if not future.done():
                future.set_exception(error)
                future.exception()  # retrieved: nobody may be waiting any more

    def _retire(self, client: Any) -> None:
        with contextlib.suppress(Exception):
            client.disconnect()
        self._retired.append(client)

    async def _join_retired(self) -> None:
        retired, self._retired = self._retired, []
        for client in retired:
            network = client.user_data_get()
            if network is not None:
                await asyncio.to_thread(network.stop)

    # subscribing -------------------------------------------------------------------------

    async def subscribe(self, sub: Subscription) -> None:
        """Have ``sub`` subscribed on the current connection (connecting first if needed)."""
        self.inbox.add(sub)
        client = await self.connected()
        if sub.client is not client:
            await self._subscribe(client, [sub])
        if sub.error is not None:
            raise ConfigError(str(sub.error))

    def unsubscribe(self, sub: Subscription) -> None:
        """Stop delivering to ``sub``. The broker keeps the subscription in the session, so
        messages that arrive meanwhile stay unacknowledged and come again next time."""
        sub.active = False

    async def _subscribe(self, client: Any, subs: list[Subscription]) -> None:
        waits: list[tuple[Subscription, asyncio.Future[Any]]] = []
        for sub in subs:
            props = None
            if self.settings.mqtt5:
                props = new_properties("SUBSCRIBE")
                props.SubscriptionIdentifier = sub.ident
            qos, options = (0, sub.options) if sub.options is not None else (sub.qos, None)
            rc, mid = client.subscribe(sub.text, qos, options, properties=props)
            if rc != 0 or mid is None:
                raise NotConnected(f"cannot subscribe at {self.settings.where}: not connected")
            waits.append((sub, self._wait(mid)))
        for sub, future in waits:
            try:
                async with asyncio.timeout(self.settings.connect_timeout):
                    reasons = await future
            except TimeoutError as exc:
                raise NotConnected(
                    f"the MQTT broker at {self.settings.where} did not confirm the subscription "
                    f"to '{sub.text}' within {self.settings.connect_timeout:g} s"
                ) from exc
            reason = reasons[0] if reasons else None
            if is_refusal(reason):
                shared = ""
                if sub.text.startswith("$share/"):
                    shared = ", and that it supports shared subscriptions"
                sub.error = ConfigError(
                    f"the MQTT broker at {self.settings.where} refused the subscription to "
                    f"'{sub.text}' ({reason_text(reason)}): check the topic filter and the "
                    f"broker's access rules{shared}"
                )
            else:
                sub.client, sub.error = client, None

    def _wait(self, mid: int) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waits[mid] = future
        return future

    def _on_done(self, client: Any, mid: int, reason: Any) -> None:
        if client is self.client:
            future = self._waits.pop(mid, None)
            if future is not None and not future.done():
                future.set_result(reason)

    def _redeliver(self, failed: int) -> None:
        """Reconnect, so that the broker sends again the messages the flow failed on."""
        if self.client is not None:
            self._restarting = (
                f"{failed} message(s) the flow failed on were not acknowledged: reconnecting "
                f"to {self.settings.where} so that the broker delivers them again"
            )
            self.client.disconnect()

    # publishing --------------------------------------------------------------------------

    async def publish(self, items: list[tuple[str, bytes, int, bool, Any]]) -> list[str | None]:
        """Publish ``(topic, payload, qos, retain, properties)`` items and wait until the broker
        has each (PUBACK, PUBCOMP; for QoS 0, until it left). Returns, per item, None or why the
        broker refused it. Raises NotConnected or ConnectionLost: nothing is known published."""
        client = await self.connected()
        refused: list[str | None] = [None] * len(items)
        waits: list[tuple[int, int, asyncio.Future[Any]]] = []
        for index, (topic, payload, qos, retain, props) in enumerate(items):
            try:
                info = client.publish(topic, payload, qos, retain, props)
            except ValueError as exc:
                refused[index] = str(exc)
                continue
            if info.rc != 0:
                for mid, _, _ in waits:
                    self._waits.pop(mid, None)
                raise NotConnected(f"cannot publish to {self.settings.where}: not connected")
            waits.append((info.mid, index, self._wait(info.mid)))
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT):
                reasons = await asyncio.gather(*(future for _, _, future in waits))
        except TimeoutError as exc:
            for mid, _, _ in waits:
                self._waits.pop(mid, None)
            raise ConnectionLost(
                f"the MQTT broker at {self.settings.where} did not acknowledge "
                f"{len(waits)} message(s) within {PUBLISH_TIMEOUT:g} s"
            ) from exc
        for (_, index, _), reason in zip(waits, reasons, strict=True):
            if is_refusal(reason):
                refused[index] = reason_text(reason)
        return refused

    def _publish_own(self, client: Any, message: Message) -> Any:
        return client.publish(message.topic, message.payload, message.qos, message.retain)

    # closing -----------------------------------------------------------------------------

    async def close(self) -> None:
        """Publish the close message, disconnect (the will is not sent) and stop the thread."""
        client, was = self.client, self.state
        self.state = "closed"
        self.inbox.lost(None)
        if self._connecting is not None:
            self._connecting.cancel()
        if client is not None and was == "connected":
            if self.settings.close is not None:
                info = self._publish_own(client, self.settings.close)
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(info.wait_for_publish, 2.0)
            disconnect(client, self.settings)
        self._fail_waits(NotConnected(f"the connection to {self.settings.where} is closed"))
        if client is not None:
            self._retired.append(client)
        self.client = None
        await self._join_retired()
        if was == "connected" and orphaned(self.settings):
            await asyncio.to_thread(end_session, self.settings)


def _describe(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text).rstrip(".").lower() if isinstance(exc, OSError) else str(text)
