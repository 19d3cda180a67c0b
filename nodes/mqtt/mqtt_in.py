"""mqtt-in: messages from an MQTT broker, for a topic filter."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any, Literal

from pydantic import field_validator

from flowrt.api import Ack, Message, NodeConfig, Source, field

from .mqtt_broker import MqttBroker
from .mqtt_codec import PayloadMode, decode_payload, properties_to_dict, user_property
from .mqtt_inbox import Incoming, Subscription
from .mqtt_topics import parse_filter

MAX_WAITING = 10_000
"""QoS 0 messages waiting to be read beyond this are dropped (QoS 1 and 2 are bounded by the
broker, which sends no more than its in-flight window before they are acknowledged)."""


class MqttIn(Source):
    """Receive the messages published to an MQTT topic (with + and # wildcards).

    ### Outputs

    - `topic` (string): the topic the message was published to.
    - `payload`: the message, decoded as `payload` says: with `auto`, parsed JSON when it is
      JSON, else text when it is UTF-8, else bytes.
    - `qos` (0, 1 or 2) and `retain` (true when the broker kept it from before the subscription).
    - `properties` (MQTT 5, when the sender gave any): `user_properties` (name to text),
      `content_type`, `response_topic`, `correlation_data` (bytes), `message_expiry_interval`,
      `payload_format_indicator`.

    ### Details

    `topic` is a filter: `+` stands for one level (`plant/+/temperature`), `#` at the end for
    any number of levels (`plant/#`). `$share/GROUP/FILTER` is a shared subscription: each
    message goes to one of the subscribers in the group, so several workers running the same
    flow split the load (MQTT 5 brokers, and Mosquitto with 3.1.1 too). In a group of workers
    (`flowrt run --group NAME`) a plain filter becomes `$share/NAME/FILTER` by itself, unless
    `group_share: false`: then one worker of the group holds the subscription.

    Delivery follows the quality of service:

    - **QoS 1** is at-least-once, through a local journal by default: each message is
      committed to a file in the state directory, then acknowledged to the broker (PUBACK),
      and the flow takes it from the journal; its row is deleted once the flow finished it.
      So the broker never holds what the flow is behind on: Mosquitto queues at most 1,000
      messages per client by default and drops the rest. A message a node fails on (and no
      catch node takes) stays in the journal and is fed again (1 s later, doubling to 60 s
      while failures go on); rows left by a crash are fed first on the next start. With
      `journal: false` a message is acknowledged to the broker only when the flow has
      finished with it, and a failed one is redelivered by the broker after the connection
      reconnects; messages in the flow when it stops are redelivered to the next run that
      resumes the session (same `client_id`). Either way a message may arrive twice; make
      its processing idempotent. See docs/delivery.md.
    - **QoS 0** is at-most-once: the broker forgets each message once sent, so one that
      arrives while the flow is down or fails in it is gone.
    - **QoS 2** is exactly-once from the broker to this node, and the message is acknowledged
      when it arrives: the protocol cannot redeliver it if the flow then fails.

    A payload that `payload: json` or `payload: string` cannot decode is an error for catch
    nodes, with the raw bytes as the payload; the message is acknowledged.
    """

    type = "mqtt-in"
    icon = "antenna"

    class Config(NodeConfig):
        connection: str = field(
            description="The mqtt-broker connection to receive from.",
            connection="mqtt-broker",
            examples=["plant"],
        )
        topic: str = field(
            description="The topic filter: + for one level, # (last) for any number; "
            "$share/GROUP/FILTER for a shared subscription.",
            examples=["plant/+/temperature", "plant/#", "$share/workers/jobs/#"],
        )
        qos: Literal[0, 1, 2] = field(
            1, description="The quality of service to subscribe with: 0, 1 or 2."
        )
        group_share: bool = field(
            True,
            description="In a group of workers (`flowrt run --group NAME`), subscribe as "
            "`$share/NAME/TOPIC` so the broker splits the messages among the workers; false "
            "keeps a plain subscription, held by one worker of the group at a time.",
        )
        payload: PayloadMode = field(
            "auto",
            description="How to decode the payload: auto (JSON, else text, else bytes), json, "
            "string or bytes.",
        )

        @field_validator("topic")
        @classmethod
        def _topic(cls, value: str) -> str:
            parse_filter(value)
            return value

    config: Config
    journal_by_default = True

    @classmethod
    def acknowledges(cls, config: Any) -> bool:
        return bool(config.qos == 1)

    def risks(self, guarantee: str | None, journaled: bool) -> list[str]:
        conn = self.ctx.connection(self.config.connection)
        name, broker = self.config.connection, getattr(conn.config, "url", "")
        qos, found = self.config.qos, []
        if qos == 0:
            found.append(
                "QoS 0: the broker sends each message once and never again, so a message "
                "published while this node is disconnected, or while the flow is behind (the "
                f"broker's queue and flowrt's {MAX_WAITING:,} waiting messages are bounded), is "
                "lost; use qos: 1 if every message counts")
        elif qos == 1 and not journaled and guarantee == "at-least-once":
            found.append(
                "QoS 1 without a journal: a message is acknowledged only once the flow finished "
                f"it, so while the flow is slower than the publishers {broker} queues the rest, "
                "and Mosquitto keeps at most max_queued_messages (1,000 by default) per client "
                "and drops the others silently; remove `journal: false`, or raise "
                "max_queued_messages in the broker")
        if qos and getattr(conn.config, "clean_session", False):
            found.append(
                f"clean_session: true on connection '{name}': the broker forgets the session "
                "whenever the connection drops, with the QoS 1 messages it held for this node "
                "and those sent but not yet acknowledged; set clean_session: false")
        elif qos and getattr(conn.config, "client_id", "") is None:
            found.append(
                f"connection '{name}' has no client_id: each start of flowrt opens a new "
                "session, so messages published while flowrt is stopped are kept for no one; "
                "set a fixed client_id to have the broker keep them")
        return found

    @classmethod
    def once_in_group(cls, config: Any) -> bool:
        return not (config.topic.startswith("$share/") or config.group_share)

    def window(self) -> tuple[str, int] | None:
        if self.config.qos != 1:
            return None  # QoS 0 and 2 are acknowledged on arrival
        conn = self.ctx.connection(self.config.connection)
        return f"mqtt:{self.config.connection}", int(conn.config.receive_maximum)

    def _topic(self) -> str:
        """The filter to subscribe with: shared among the group's workers when in a group."""
        topic: str = self.config.topic
        group = self.ctx.group
        if group and self.config.group_share and not topic.startswith("$share/"):
            return f"$share/{group}/{topic}"
        return topic

    async def start(self) -> None:
        conn = self.ctx.connection(self.config.connection, MqttBroker)
        self._mqtt5 = conn.session.settings.mqtt5
        self._session = conn.session
        self._waiting: deque[tuple[Any, Incoming | None, PayloadMode] | BaseException] = deque()
        self._wakeup: asyncio.Future[None] | None = None
        self._dropped = 0
        self._sub = Subscription(self._topic(), self.config.qos, self._deliver, self._lost)
        self._session.watch(self.ctx.status)

    async def connect(self) -> None:
        await self._session.subscribe(self._sub)

    def _wake(self) -> None:
        waiter = self._wakeup
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _deliver(self, message: Any, ack: Incoming | None, payload: PayloadMode | None = None
                 ) -> None:
        # Only QoS 0 is dropped: a QoS 2 message was acknowledged on arrival (exactly once), so
        # dropping it would lose it; it waits like any other.
        if ack is None and message.qos == 0 and len(self._waiting) >= MAX_WAITING:
            self._dropped += 1
            if self._dropped % MAX_WAITING == 1:
                self.ctx.warn(
                    f"the flow is behind: dropped {self._dropped} QoS 0 message(s) so far "
                    f"({MAX_WAITING} were waiting); use QoS 1 to have the broker hold them"
                )
            return
        self._waiting.append((message, ack, payload or self.config.payload))
        self._wake()

    def _lost(self, error: BaseException) -> None:
        # What waits here came on the lost connection: not acknowledged, so the broker sends it
        # again (QoS 1) on the next one.
        self._waiting.clear()
        self._waiting.append(error)
        self._wake()

    async def read(self) -> tuple[Message, Ack | None]:
        while True:
            while not self._waiting:
                self._wakeup = asyncio.get_running_loop().create_future()
                try:
                    await self._wakeup
                finally:
                    self._wakeup = None
            item = self._waiting.popleft()
            if isinstance(item, BaseException):
                raise item
            message, ack, mode = item
            msg: Message = {
                "topic": message.topic,
                "payload": None,
                "qos": message.qos,
                "retain": bool(message.retain),
            }
            if self._mqtt5 and message.properties is not None:
                props = properties_to_dict(message.properties)
                if props:
                    msg["properties"] = props
                self.ctx.continue_trace(msg, user_property(message.properties, "traceparent"))
            try:
                msg["payload"] = decode_payload(message.payload, mode)
            except ValueError as exc:
                msg["payload"] = message.payload
                msg["_msgid"] = self.ctx.new_msgid()
                self.ctx.error(ValueError(f"message on '{message.topic}': {exc}"), msg)
                if ack is not None:
                    await ack.ack()
                continue
            return msg, ack

    async def close(self) -> None:
        self._session.unsubscribe(self._sub)
        self._waiting.clear()
