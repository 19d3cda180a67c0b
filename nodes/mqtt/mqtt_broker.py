"""mqtt-broker: the connection to an MQTT broker that mqtt-in and mqtt-out nodes share."""

from __future__ import annotations

import secrets
from typing import Literal
from urllib.parse import urlsplit

from pydantic import field_validator, model_validator

from flowrt.api import Connection, NodeConfig, field

from .mqtt_client import Message, Settings
from .mqtt_session import MqttSession
from .mqtt_topics import check_topic_name

DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}


class MqttMessage(NodeConfig):
    """A message the connection publishes by itself (will, birth, close)."""

    topic: str = field(description="The topic to publish to (no wildcards).")
    payload: str = field("", description="The payload, as text.")
    qos: Literal[0, 1, 2] = field(0, description="Quality of service: 0, 1 or 2.")
    retain: bool = field(False, description="Ask the broker to retain it for new subscribers.")

    @field_validator("topic")
    @classmethod
    def _topic(cls, value: str) -> str:
        return check_topic_name(value)

    def message(self) -> Message:
        return Message(self.topic, self.payload, self.qos, self.retain)


class MqttBroker(Connection):
    """An MQTT broker (MQTT 3.1.1 or 5): its address, client id, login, TLS and session.

    ### Details

    One client, one network connection, for all the nodes of the connection. It connects when
    the first node needs it, and again after a loss, with back-off: the node shows a yellow
    ring while connecting, a green dot when connected, a red ring when the broker is away.
    Refused credentials stop the nodes with an error saying to check them; they are not
    retried.

    The client id defaults to `flowrt-FLOW-CONNECTION-XXXXXX` with a random suffix, so two
    workers running the same flow do not throw each other off the broker. With the default
    `clean_session: false` the broker keeps the session while the connection is away: the
    subscriptions, and the QoS 1 and 2 messages that arrive meanwhile. A session is found
    again by its client id, so to keep messages across a restart of flowrt, give each worker
    a fixed `client_id`. With MQTT 5, `session_expiry` says how long the broker keeps it.
    A session under a made-up client id cannot be resumed once flowrt stops, so a graceful
    stop ends it; after a crash an MQTT 3.1.1 broker keeps it until its own expiry (Mosquitto:
    `persistent_client_expiration`).

    The `will` is published by the broker when the connection ends without a goodbye (a crash,
    a network failure); `birth` is published on every connection, `close` before a graceful
    disconnect:

    ```yaml
    connections:
      plant:
        type: mqtt-broker
        url: ${MQTT_URL:-mqtt://127.0.0.1:1883}
        username: flowrt
        password: ${MQTT_PASSWORD}
        will: {topic: plant/flowrt/state, payload: offline, qos: 1, retain: true}
        birth: {topic: plant/flowrt/state, payload: online, qos: 1, retain: true}
    ```

    With Mosquitto, set `set_tcp_nodelay true` in its configuration: otherwise its packets
    may wait for TCP acknowledgements, adding up to tens of milliseconds to a flow that relays
    messages from mqtt-in to mqtt-out.

    **A slow flow.** mqtt-in acknowledges a QoS 1 message only once the flow finished it, and
    at most `receive_maximum` of them (100 by default) are unacknowledged at a time: with MQTT 5
    the broker is told so when connecting, and with either version the connection stops reading
    from the broker while the flow holds that many, so the rest waits at the broker, not in
    flowrt's memory, even with a broker that sends more than its window (Mosquitto 2.0.11 refills
    its whole window each time its oldest message in flight is acknowledged). Reading goes on
    while something else waits for the broker on this connection (an mqtt-out's publish, a
    subscription); a broker then sending more than an MQTT 5 receive maximum is warned about.
    The broker queues what waits for the session: Mosquitto keeps up to `max_queued_messages`
    per client (1,000 by default) and drops messages beyond.

    `mqtts://` URLs connect with TLS: the server's certificate is checked against `ca_file`
    (or the system's certificates); `cert_file` and `key_file` give a client certificate;
    `insecure: true` skips the check of the host name in the server's certificate.
    """

    type = "mqtt-broker"

    class Config(NodeConfig):
        url: str = field(
            description="The broker: mqtt://HOST[:PORT] (1883 by default), or mqtts:// for TLS "
            "(8883 by default).",
            examples=["mqtt://127.0.0.1:1883", "mqtts://broker.example.com"],
        )
        client_id: str | None = field(
            None,
            description="The client id; by default made from the flow and connection ids and a "
            "random suffix. Set it to resume the session after a restart.",
            examples=["plant-worker-1"],
        )
        username: str | None = field(None, description="The user name, if the broker asks.")
        password: str | None = field(
            None, secret=True, description="The password; give it as ${VAR}.",
            examples=["${MQTT_PASSWORD}"],
        )
        protocol: Literal["3.1.1", "5", 5] = field(
            "3.1.1", description="The MQTT protocol version: 3.1.1 or 5."
        )
        keepalive: int = field(
            60, ge=5, le=65535, description="Seconds between keep-alive pings when idle."
        )
        clean_session: bool = field(
            False,
            description="Start a new session on each connection, dropping what the broker kept; "
            "false keeps subscriptions and unacknowledged messages across reconnects.",
        )
        session_expiry: int = field(
            3600, ge=0, le=4_294_967_295, advanced=True,
            description="MQTT 5: seconds the broker keeps the session after the connection ends "
            "(with clean_session false).",
        )
        receive_maximum: int = field(
            100, ge=1, le=65535, advanced=True,
            description="Most QoS 1 messages unacknowledged at a time: the connection stops "
            "reading from the broker while the flow holds this many (with MQTT 5 the broker is "
            "told too), which bounds what a slow flow holds.",
        )
        connect_timeout: float = field(
            10.0, gt=0, le=300, advanced=True,
            description="Seconds to wait for the broker to accept a connection.",
        )
        ca_file: str | None = field(
            None, advanced=True,
            description="TLS: the CA certificates (PEM) to check the broker's certificate with; "
            "default: the system's.",
        )
        cert_file: str | None = field(
            None, advanced=True, description="TLS: a client certificate (PEM)."
        )
        key_file: str | None = field(
            None, advanced=True, description="TLS: the client certificate's private key (PEM)."
        )
        insecure: bool = field(
            False, advanced=True,
            description="TLS: do not check that the broker's certificate names its host.",
        )
        will: MqttMessage | None = field(
            None, description="The last will: published by the broker if the connection dies.",
            examples=[{"topic": "plant/flowrt/state", "payload": "offline", "retain": True}],
        )
        birth: MqttMessage | None = field(
            None, advanced=True, description="Published on every (re)connection."
        )
        close: MqttMessage | None = field(
            None, advanced=True, description="Published before a graceful disconnect."
        )

        @field_validator("url")
        @classmethod
        def _url(cls, value: str) -> str:
            parts = urlsplit(value)
            if parts.scheme not in DEFAULT_PORTS:
                raise ValueError(
                    f"the url {value!r} must start with mqtt:// or mqtts:// (TLS)"
                )
            if not parts.hostname:
                raise ValueError(f"the url {value!r} names no host: mqtt://HOST[:PORT]")
            if parts.username or parts.password:
                raise ValueError(
                    "the url may not hold credentials: give them as `username` and "
                    "`password: ${VAR}`"
                )
            if parts.path not in ("", "/") or parts.query:
                raise ValueError(f"the url {value!r} has a path or query; MQTT uses neither")
            try:
                parts.port  # noqa: B018 - raises for a port out of range
            except ValueError as exc:
                raise ValueError(f"the url {value!r} has a bad port: {exc}") from exc
            return value

        @model_validator(mode="after")
        def _tls(self) -> MqttBroker.Config:
            tls_given = self.ca_file or self.cert_file or self.key_file or self.insecure
            if tls_given and not self.url.startswith("mqtts://"):
                raise ValueError("TLS options (ca_file, cert_file, key_file, insecure) need an "
                                 "mqtts:// url")
            if bool(self.cert_file) != bool(self.key_file):
                raise ValueError("give cert_file and key_file together")
            if self.password is not None and self.username is None:
                raise ValueError("a password needs a username")
            return self

    config: Config
    _session: MqttSession | None = None

    @property
    def session(self) -> MqttSession:
        """The run-time client of this connection (made on first use)."""
        if self._session is None:
            self._session = MqttSession(self.settings(), self.ctx)
        return self._session

    def settings(self) -> Settings:
        c = self.config
        parts = urlsplit(c.url)
        scheme = parts.scheme
        generated = c.client_id is None
        client_id = c.client_id or (
            f"flowrt-{self.ctx.flow_id}-{self.id}-{secrets.token_hex(3)}"
        )
        return Settings(
            host=parts.hostname or "",
            port=parts.port or DEFAULT_PORTS[scheme],
            tls=scheme == "mqtts",
            client_id=client_id,
            generated_id=generated,
            username=c.username,
            password=c.password,
            ca_file=c.ca_file,
            cert_file=c.cert_file,
            key_file=c.key_file,
            insecure=c.insecure,
            mqtt5=str(c.protocol) == "5",
            keepalive=c.keepalive,
            clean_session=c.clean_session,
            session_expiry=c.session_expiry,
            receive_maximum=c.receive_maximum,
            connect_timeout=c.connect_timeout,
            will=c.will.message() if c.will else None,
            birth=c.birth.message() if c.birth else None,
            close=c.close.message() if c.close else None,
        )

    async def open(self) -> None:
        """Nothing to do yet: the session connects when a node first needs it."""

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
