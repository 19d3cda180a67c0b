"""mqtt-server: an MQTT broker that runs while its flow runs (node-red-contrib-aedes's
``aedes broker``)."""

from __future__ import annotations

import asyncio
from typing import Any

from pydantic import model_validator

from flowrt.api import (
    Ack,
    ConfigError,
    EmbeddedBroker,
    FileRefused,
    Message,
    NodeConfig,
    NotConnected,
    Source,
    check_broker_host,
    field,
)

WAITING = 10_000
"""Events waiting to be sent beyond this are dropped, with an error naming the node."""


class AclRule(NodeConfig):
    publish: list[str] = field(
        default_factory=list,
        description="Topic patterns the user may publish to (`+`, `#`, `%u` for the user "
        "name, `%c` for the client id).",
    )
    subscribe: list[str] = field(
        default_factory=list,
        description="Topic filters the user may subscribe to (same patterns).",
    )


class MqttServer(Source):
    """Run an MQTT 3.1.1 broker while the flow runs (node-red-contrib-aedes's aedes broker).

    The broker is flowrt's embedded one (amqtt), listening on `host` and `port`.

    ### Outputs

    1. The broker's client events, `topic` naming the event as aedes does: `client` and
       `clientReady` (a client connected), `clientDisconnect`, `subscribe` (one message per
       topic, `payload` `{topic, qos, client}`), `unsubscribe` (`{topic, client}`),
       `clientError` (a refused login: `{client, err: {message: "not authorized",
       errorCode: 5}}`). `payload` holds `client`: `{id, clean, user}` (`user` when the
       client logged in).
    2. Each message a client published (and the broker accepted), `topic` `publish`:
       `payload` is `{packet, client}`, `packet` being `{cmd: "publish", topic, payload
       (bytes), qos, retain, dup, messageId}`.

    ### Details

    With no `users` anyone may connect, so the broker listens on a loopback address only
    (`host: 127.0.0.1`, the default); another `host` (`0.0.0.0` for every interface) is
    refused unless `users` are given. `users` maps each user name to its password, given as a
    `${VAR}` reference to the secrets store; the value may be the password or its Argon2 hash
    (`$argon2id$...`), and passwords are kept hashed only. A client with a wrong password is
    refused (CONNACK 5, not authorised), and no password is ever logged.

    `acl` limits each user (or every user, `*`) to topic patterns: a subscription outside
    them is refused (return code 0x80), a publish outside them is dropped (MQTT 3.1.1 has no
    way to tell the client). With `acl` set, a user it does not name may do nothing.

    Retained messages, and the persistent sessions (`clean_session: false`) of users, live in
    memory, or with `store` in an SQLite file that keeps them across restarts: a session's
    subscriptions and the QoS 1 and 2 messages queued while its client was away. For
    bridges, MQTT 5, shared subscriptions or many clients run Mosquitto (docs/mqtt-broker.md).
    `flowrt run --mqtt-broker` starts the same broker beside the flows.

    ```yaml
    broker:
      type: mqtt-server
      port: 1883
      to: {0: connections, 1: published}
    ```
    """

    type = "mqtt-server"
    icon = "antenna"
    stability = "beta"
    outputs = 2
    fresh_outputs = True

    class Config(NodeConfig):
        host: str = field(
            "127.0.0.1", description="The address to listen on; other than loopback only with "
            "`users`.", examples=["127.0.0.1", "0.0.0.0"],
        )
        port: int = field(1883, ge=1, le=65535, description="The MQTT port.")
        ws_port: int | None = field(
            None, ge=1, le=65535, advanced=True,
            description="Also serve MQTT over WebSockets on this port.",
        )
        users: dict[str, str] = field(
            default_factory=dict, secret=True,
            description="User name -> password (or Argon2 hash) as a ${VAR} reference; none: "
            "anyone may connect, on loopback only.",
            examples=[{"sensor": "${MQTT_SENSOR_PASSWORD}"}],
        )
        acl: dict[str, AclRule] | None = field(
            None, description="User name (or `*` for every user) -> the topics it may publish "
            "and subscribe to; none: every topic.",
            examples=[{"*": {"publish": ["devices/%u/#"], "subscribe": ["devices/#"]}}],
        )
        store: str | None = field(
            None, description="An SQLite file keeping retained messages and the users' "
            "persistent sessions across restarts; none: they live in memory.",
            examples=["broker.db"],
        )
        cert_file: str | None = field(
            None, advanced=True, description="Serve MQTT over TLS with this certificate (PEM).",
        )
        key_file: str | None = field(
            None, advanced=True, description="The private key (PEM) of `cert_file`.",
        )

        @model_validator(mode="after")
        def _checks(self) -> MqttServer.Config:
            if bool(self.cert_file) != bool(self.key_file):
                raise ValueError("TLS needs both cert_file and key_file")
            try:
                check_broker_host(self.host, self.port, users=bool(self.users))
            except ConfigError as exc:
                raise ValueError(str(exc)) from None
            return self

    config: Config

    async def start(self) -> None:
        self._events: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue(WAITING)
        self._broker: EmbeddedBroker | None = None
        self._dropped = 0

    async def connect(self) -> None:
        c = self.config
        if self._broker is not None:
            return
        try:  # files a flow names obey the operator's file rule (--files, --scripts)
            files = {key: str(self.ctx.files.resolve(name)[0]) for key, name in (
                ("store", c.store), ("cert_file", c.cert_file), ("key_file", c.key_file))
                if name}
        except FileRefused as exc:
            self.ctx.status("red", "ring", "file refused")
            raise ConfigError(f"mqtt-server '{self.id}': {exc}") from exc
        broker = EmbeddedBroker(
            c.host, c.port, users=c.users, listener=self._heard,
            acl=None if c.acl is None else {k: v.model_dump() for k, v in c.acl.items()},
            ws_port=c.ws_port, **files)
        try:
            await broker.start()
        except OSError as exc:
            self.ctx.status("red", "ring", "error")
            raise NotConnected(str(exc)) from exc
        self._broker = broker
        self._show()

    def _heard(self, event: tuple[str, dict[str, Any]]) -> None:
        try:
            self._events.put_nowait(event)
        except asyncio.QueueFull:
            self._dropped += 1
            self.ctx.error(f"mqtt-server: {WAITING} broker events wait to be sent; the "
                           f"{event[0]} event is dropped ({self._dropped} so far)")

    async def read(self) -> tuple[Message, Ack | None]:
        """Sends each broker event on its output as it comes (never returns)."""
        while True:
            name, payload = await self._events.get()
            if name == "publish":
                self.ctx.send([None, {"topic": "publish", "payload": payload}])
                continue
            self.ctx.send([{"topic": name, "payload": payload}, None])
            if name in ("clientReady", "clientDisconnect", "clientError"):
                self._show()

    def _show(self) -> None:
        count = self._broker.clients if self._broker is not None else 0
        self.ctx.status("green", "dot", f"{count} connected")

    async def close(self) -> None:
        broker, self._broker = self._broker, None
        if broker is not None:
            await broker.stop()
