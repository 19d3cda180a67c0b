"""mqtt-out: publish messages to an MQTT broker, acknowledged once the broker has them."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, Literal

from pydantic import field_validator

from flowrt.api import Confirmation, Message, Sink, SinkConfig, field

from .mqtt_broker import MqttBroker
from .mqtt_codec import encode_payload, properties_from_dict, with_traceparent
from .mqtt_topics import check_topic_name

Item = tuple[str, bytes, int, bool, Any]


class MqttOut(Sink):
    """Publish each message to an MQTT broker.

    ### Inputs

    - `payload`: what to publish. Objects and lists are sent as JSON, text as UTF-8, bytes as
      they are, numbers and booleans as their JSON text (`21.5`, `true`); no payload (or
      `null`) sends an empty message, which clears a retained one.
    - `topic` (string): the topic, when the node's `topic` is not set.
    - `qos` (0, 1 or 2, or its text) and `retain` (boolean): used when the node's are not
      set.
    - `properties` (MQTT 5 connections): `user_properties` (name to text, or to a list of
      texts), `content_type`, `response_topic`, `correlation_data` (bytes or text),
      `message_expiry_interval` (seconds), `payload_format_indicator`.

    ### Details

    The node's `topic`, `qos` and `retain`, when set, win over the message's, as in Node-RED.
    With neither the node's `qos` nor `msg.qos` a message is published at QoS 0, as in
    Node-RED: the broker does not acknowledge it, so on an at-least-once path (an AMQP or
    MQTT QoS 1 source upstream) set `qos: 1`, or `flowrt validate` warns (W109).
    A message with no topic at all is an error for catch nodes naming this node.

    Messages are published in batches, and a batch is finished only when the broker has
    acknowledged each of its QoS 1 and 2 messages (PUBACK, PUBCOMP): so a source upstream is
    acknowledged only for what the broker holds. While the broker is away, messages wait in the
    node's buffer and are published once it is back (a message in flight when the connection
    dropped may be published twice). QoS 0 messages are finished once they left.

    ```yaml
    alert:
      type: mqtt-out
      connection: plant
      topic: plant/alerts
      qos: 1
    ```
    """

    type = "mqtt-out"
    icon = "antenna"
    batch_size = 100

    class Config(SinkConfig):
        connection: str = field(
            description="The mqtt-broker connection to publish to.",
            connection="mqtt-broker",
            examples=["plant"],
        )
        topic: str | None = field(
            None,
            description="The topic to publish to (no wildcards); when not set, msg.topic.",
            examples=["plant/alerts"],
        )
        qos: Literal[0, 1, 2] | None = field(
            None, description="The quality of service: 0, 1 or 2; when not set, msg.qos, else 0."
        )
        retain: bool | None = field(
            None,
            description="Ask the broker to keep the message for new subscribers; when not set, "
            "msg.retain, else false.",
        )

        @field_validator("topic")
        @classmethod
        def _topic(cls, value: str | None) -> str | None:
            return None if value is None else check_topic_name(value)

    config: Config

    @classmethod
    def confirms(cls, config: Any) -> Confirmation:
        if config.qos is None:
            return Confirmation(
                False,
                reason="without `qos` a publish uses msg.qos, else QoS 0, which returns before "
                "the broker has the message (QoS 0 has no acknowledgement from the broker)",
                fix="Set `qos: 1`",
            )
        return Confirmation(
            config.qos != 0,
            reason="with `qos: 0` a publish returns before the broker has the message (QoS 0 "
            "has no acknowledgement from the broker)",
            fix="Set `qos: 1`",
        )

    async def start(self) -> None:
        conn = self.ctx.connection(self.config.connection, MqttBroker)
        self._session = conn.session
        self._mqtt5 = conn.session.settings.mqtt5
        self._session.watch(self.ctx.status)
        # Connect now, once, so the status shows the broker before the first message; if it is
        # away, the first write tries again (and the engine after it, with back-off).
        self._early = asyncio.get_running_loop().create_task(self._connect_early())

    async def _connect_early(self) -> None:
        with contextlib.suppress(Exception):  # shown in the status; a write tries again
            await self._session.connected()

    async def write(self, batch: list[Message]) -> None:
        items: list[Item] = []
        sent: list[Message] = []
        for msg in batch:
            try:
                items.append(self._item(msg))
            except ValueError as exc:
                self.ctx.error(exc, msg)
                continue
            sent.append(msg)
        if not items:
            return
        refused = await self._session.publish(items)
        for msg, item, why in zip(sent, items, refused, strict=True):
            if why is not None:
                self.ctx.error(
                    ValueError(f"the broker did not take the message for '{item[0]}': {why}"), msg
                )

    def _item(self, msg: Message) -> Item:
        cfg = self.config
        topic = cfg.topic
        if topic is None:
            topic = msg.get("topic")
            if not isinstance(topic, str) or not topic:
                raise ValueError(
                    "no topic to publish to: set the node's `topic`, or msg.topic "
                    f"(got {topic!r})"
                )
            check_topic_name(topic)
        qos = cfg.qos if cfg.qos is not None else _qos_of(msg.get("qos"))
        retain = cfg.retain if cfg.retain is not None else msg.get("retain") is True
        props = None
        given_props = msg.get("properties")
        if self._mqtt5 and given_props:
            props = properties_from_dict(given_props)
        traceparent = self.ctx.traceparent(msg) if self._mqtt5 else None
        if traceparent is not None:  # tracing on: the subscriber continues the trace
            props = with_traceparent(props, traceparent)
        return topic, encode_payload(msg.get("payload")), qos, retain, props

    async def stop(self) -> None:
        early = getattr(self, "_early", None)
        if early is not None and not early.done():
            early.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await early


def _qos_of(given: Any) -> Literal[0, 1, 2]:
    """msg.qos as Node-RED reads it (`parseInt`, so "1" is 1); anything else is QoS 0."""
    if isinstance(given, str) and given.strip().isdigit():
        given = int(given.strip())
    if given == 1 and not isinstance(given, bool):
        return 1
    if given == 2 and not isinstance(given, bool):
        return 2
    return 0
