"""mqtt-in-dynamic: an mqtt-in whose topic filters its input messages choose."""

from __future__ import annotations

import asyncio
from collections import deque
from functools import partial
from typing import Any, ClassVar

from flowrt.api import ConfigError, Message, NodeConfig, NotConnected, Output, clone, field

from .mqtt_broker import MqttBroker
from .mqtt_client import new_subscribe_options
from .mqtt_codec import PayloadMode
from .mqtt_in import MqttIn
from .mqtt_inbox import Subscription
from .mqtt_subscriptions import ActionError, action_of, payload_mode, requested, settle_options


class MqttInDynamic(MqttIn):
    """Receive the messages of the MQTT topics that input messages subscribe to.

    ### Inputs

    - `action`: `subscribe`, `unsubscribe`, `getSubscriptions` or `connect`.
    - `topic` (subscribe, unsubscribe): a topic filter, a list of them, or objects
      `{topic, qos, rh, rap, nl, datatype}` (alone or in a list); `true` unsubscribes from all.

    ### Outputs

    The messages of the subscribed topics, as `mqtt-in` sends them. A `getSubscriptions`
    message comes out with `topic` "subscriptions" and the subscriptions as its `payload`.

    ### Details

    A subscription's `qos` is 2 unless it says otherwise; with an MQTT 5 connection `rh`
    (retain handling, 0 to 2), `rap` (retain as published, default true) and `nl` (no local)
    are its subscription options, and `datatype` (auto, json, string, bytes or Node-RED's
    names) overrides the node's `payload` for its messages. Subscribing again to a filter
    replaces its subscription. After a subscribe or unsubscribe the message carries the
    current subscriptions in `subscriptions` (for complete nodes) and goes no further.

    The subscriptions last as long as the flow runs: they are made again on each new
    connection. A message naming a filter that is not valid changes nothing and is an error
    for catch nodes, as is a subscription the broker refuses. `connect` connects when not
    connected; `disconnect` is not offered (the connection is shared and reconnects).

    ```yaml
    subscribe:
      type: inject
      once: true
      topic: {type: json, value: '["plant/+/temperature", {"topic": "plant/alarms", "qos": 1}]'}
      properties:
        action: subscribe
      to: readings
    readings:
      type: mqtt-in-dynamic
      connection: plant
    ```
    """

    type = "mqtt-in-dynamic"
    icon = "antenna"
    inputs: ClassVar[int] = 1
    journal_by_default = False

    class Config(NodeConfig):
        connection: str = field(
            description="The mqtt-broker connection to receive from.",
            connection="mqtt-broker",
            examples=["plant"],
        )
        payload: PayloadMode = field(
            "auto",
            description="How to decode the payloads: auto (JSON, else text, else bytes), json, "
            "string or bytes; a subscription's `datatype` overrides it.",
        )

    config: Config  # type: ignore[assignment]

    @classmethod
    def acknowledges(cls, config: Any) -> bool:
        return False  # subscriptions come and go: no journal, each message acknowledged after

    def risks(self, guarantee: str | None, journaled: bool) -> list[str]:
        return []

    @classmethod
    def once_in_group(cls, config: Any) -> bool:
        return True

    def window(self) -> tuple[str, int] | None:
        return None

    async def start(self) -> None:
        session = self.ctx.connection(self.config.connection, MqttBroker).session
        self._session, self._inbox, self._mqtt5 = session, session.inbox, session.settings.mqtt5
        self._waiting = deque()
        self._wakeup = None
        self._dropped = 0
        self._held: dict[str, dict[str, Any]] = {}
        self._subs: dict[str, Subscription] = {}
        self._turn = asyncio.Lock()
        session.watch(self.ctx.status)

    async def connect(self) -> None:
        await self._session.connected()

    def process(self, msg: Message) -> Output:
        action = action_of(msg)
        if action == "getSubscriptions":
            msg["topic"] = "subscriptions"
            msg["payload"] = self._listed()
            return msg
        if action == "disconnect":
            raise ActionError("the disconnect action is not offered: the connection is shared "
                              "by the nodes that name it and reconnects by itself")
        if action == "connect":
            if isinstance(msg.get("broker"), dict):
                raise ActionError("connect with msg.broker (other connection settings) is not "
                                  "offered: the connection's settings are the flow's")
            self.ctx.spawn(self._connect_now(msg), msg)
            return None
        subs = requested(msg, action, self._held)
        for sub in subs:
            self._drop(sub["topic"])
            if action == "subscribe":
                self._add(settle_options(sub, self._mqtt5))
        msg["subscriptions"] = self._listed()
        if action == "subscribe":
            self.ctx.spawn(self._subscribe_now([self._subs[s["topic"]] for s in subs]), msg)
        return None

    def _listed(self) -> list[dict[str, Any]]:
        """The subscriptions, as copies: what a message carries cannot change them."""
        return [clone(sub) for sub in self._held.values()]

    def _add(self, sub: dict[str, Any]) -> None:
        mode = payload_mode(sub, self.config.payload)
        made = Subscription(sub["topic"], sub["qos"], partial(self._deliver, payload=mode),
                            self._lost)
        if self._mqtt5:
            made.options = new_subscribe_options(sub["qos"], sub.get("nl", False), sub["rap"],
                                                 sub["rh"])
        self._held[sub["topic"]] = sub
        self._subs[sub["topic"]] = made
        self._inbox.add(made)

    def _drop(self, topic: str) -> None:
        """Forget the subscription to ``topic`` and unsubscribe from it at the broker (unless
        another node of the connection holds the same filter)."""
        self._held.pop(topic, None)
        sub = self._subs.pop(topic, None)
        if sub is None:
            return
        self._inbox.remove(sub)
        client, session = self._session.client, self._session
        if client is not None and session.state == "connected" and not any(
            s.text == topic for s in self._inbox.subs
        ):
            client.unsubscribe(topic)

    async def _subscribe_now(self, subs: list[Subscription]) -> None:
        async with self._turn:  # in the order the messages came
            for sub in subs:
                if self._subs.get(sub.text) is not sub:
                    continue  # unsubscribed or replaced meanwhile
                try:
                    await self._session.subscribe(sub)
                except NotConnected as exc:
                    self._lost(exc)  # the engine reconnects; the subscriptions are made then
                    return
                except ConfigError:
                    self._drop(sub.text)
                    raise

    async def _connect_now(self, msg: Message) -> None:
        try:
            await self._session.connected()
        except NotConnected as exc:
            self.ctx.error(exc, msg)

    async def close(self) -> None:
        for topic in list(self._subs):
            self._drop(topic)
        self._waiting.clear()
