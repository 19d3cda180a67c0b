"""Making a paho client from an ``mqtt-broker`` connection, and reading what the broker answered.

paho is imported here, inside the functions, so discovering the registry never loads it. A new
paho client is made for each connection attempt (the broker keeps the session, keyed by the
client id): nothing half-sent by a connection that died is replayed behind the engine's back,
and a client that failed never leaks into the next attempt.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from dataclasses import dataclass, replace
from typing import Any

AUTH_REASONS = frozenset({134, 135})
"""CONNACK reasons that mean the credentials were refused: 134 "bad user name or password"
and 135 "not authorised" (MQTT 5; paho maps the 3.1.1 codes 4 and 5 onto them)."""


@dataclass(frozen=True)
class Message:
    """A message a connection publishes by itself: the will, birth and close messages."""

    topic: str
    payload: str
    qos: int
    retain: bool


@dataclass(frozen=True)
class Settings:
    """Everything a connection attempt needs, from the connection's validated configuration."""

    host: str
    port: int
    tls: bool
    client_id: str
    generated_id: bool
    """True when flowrt made the client id up: nobody can resume its session after a stop."""
    username: str | None
    password: str | None
    ca_file: str | None
    cert_file: str | None
    key_file: str | None
    insecure: bool
    mqtt5: bool
    keepalive: int
    clean_session: bool
    session_expiry: int
    receive_maximum: int
    """MQTT 5: the most unacknowledged QoS 1 and 2 messages the broker may send at once."""
    connect_timeout: float
    will: Message | None
    birth: Message | None
    close: Message | None

    @property
    def where(self) -> str:
        """The broker, as people read it in messages (never with the password)."""
        scheme = "mqtts" if self.tls else "mqtt"
        user = f" as '{self.username}'" if self.username else ""
        return f"{scheme}://{self.host}:{self.port}{user}"


def make_client(settings: Settings) -> Any:
    """A paho client, not yet connected, with manual acknowledgement and no reconnection of
    its own (the engine reconnects, with back-off)."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.enums import CallbackAPIVersion

    from .mqtt_message_info import install as lazy_infos
    from .mqtt_properties import install

    install()
    lazy_infos()
    if settings.mqtt5:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=settings.client_id,
            protocol=mqtt.MQTTv5,
            reconnect_on_failure=False,
            manual_ack=True,
        )
    else:
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=settings.client_id,
            protocol=mqtt.MQTTv311,
            clean_session=settings.clean_session,
            reconnect_on_failure=False,
            manual_ack=True,
        )
    client.connect_timeout = settings.connect_timeout
    client.on_socket_open = _no_delay
    if type(getattr(client, "_on_message_filtered", None)) is _matcher():
        client._on_message_filtered = _filters_class()()
    if settings.username is not None:
        client.username_pw_set(settings.username, settings.password)
    if settings.tls:
        client.tls_set_context(tls_context(settings))
        client.tls_insecure_set(settings.insecure)
    if settings.will is not None:
        will = settings.will
        client.will_set(will.topic, will.payload, will.qos, will.retain)
    return client


def _matcher() -> Any:
    from paho.mqtt.matcher import MQTTMatcher

    return MQTTMatcher


_filters: Any = None


def _filters_class() -> Any:
    """paho's matcher of ``message_callback_add`` filters, which paho asks for every message
    received before it calls ``on_message`` (a split of the topic and two generators, about
    2 µs on the network thread): with no filter added, as here, it answers at once."""
    global _filters
    if _filters is None:
        class Filters(_matcher()):  # type: ignore[misc]
            def iter_match(self, topic: str) -> Any:
                if not self._root._children and self._root._content is None:
                    return ()
                return super().iter_match(topic)

        _filters = Filters
    return _filters


def tls_context(settings: Settings) -> ssl.SSLContext:
    """The TLS context of a connection: the broker's certificate checked against ``ca_file``
    (or the system's CAs), and the client certificate if given. Raises OSError (ssl.SSLError,
    FileNotFoundError) for files that cannot be used."""
    for path in (settings.ca_file, settings.cert_file, settings.key_file):
        if path:
            with open(path, "rb"):  # ssl's own error would not name the file
                pass
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=settings.ca_file)
    if settings.cert_file and settings.key_file:
        context.load_cert_chain(settings.cert_file, settings.key_file)
    context.sslsocket_class = _ClosingSSLSocket
    return context


class _ClosingSSLSocket(ssl.SSLSocket):
    """Closes itself when the handshake fails: paho drops such a socket without closing it."""

    def do_handshake(self, block: bool = False) -> None:
        try:
            super().do_handshake(block)
        except BaseException:
            self.close()
            raise


def _no_delay(_client: Any, _userdata: Any, sock: Any) -> None:
    """Send small packets (acknowledgements, publishes) at once: with Nagle's algorithm a PUBACK
    can wait for the broker's delayed TCP ACK, tens of milliseconds."""
    with contextlib.suppress(OSError, AttributeError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def new_properties(packet: str) -> Any:
    """An empty paho Properties for a packet type (``CONNECT``, ``PUBLISH``, ...)."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    return Properties(getattr(PacketTypes, packet))  # type: ignore[no-untyped-call]


def new_subscribe_options(qos: int, no_local: bool, retain_as_published: bool,
                          retain_handling: int) -> Any:
    """MQTT 5 subscription options for paho's ``subscribe``."""
    from paho.mqtt.subscribeoptions import SubscribeOptions

    return SubscribeOptions(qos, no_local, retain_as_published, retain_handling)


def open_socket(client: Any, settings: Settings) -> None:
    """Connect the socket and send CONNECT (blocking: run it in a thread). Raises OSError."""
    if settings.mqtt5:
        props = new_properties("CONNECT")
        props.SessionExpiryInterval = 0 if settings.clean_session else settings.session_expiry
        props.ReceiveMaximum = settings.receive_maximum
        client.connect(
            settings.host,
            settings.port,
            settings.keepalive,
            clean_start=settings.clean_session,
            properties=props,
        )
    else:
        client.connect(settings.host, settings.port, settings.keepalive)


def disconnect(client: Any, settings: Settings) -> None:
    """Send DISCONNECT. A session nobody can resume (a made-up client id) ends with it, in MQTT
    5; in 3.1.1 the broker keeps it (see :func:`end_session`)."""
    if settings.mqtt5 and settings.generated_id and not settings.clean_session:
        props = new_properties("DISCONNECT")
        props.SessionExpiryInterval = 0
        client.disconnect(properties=props)
    else:
        client.disconnect()


def orphaned(settings: Settings) -> bool:
    """True when closing leaves a 3.1.1 session on the broker that nobody can resume (its client
    id was made up): it would keep collecting QoS 1 and 2 messages for ever."""
    return settings.generated_id and not settings.clean_session and not settings.mqtt5


def end_session(settings: Settings, timeout: float = 2.0) -> None:
    """Connect once more with the same client id and a clean session, which makes the broker
    drop the old one (blocking: run it in a thread)."""
    import threading

    clean = replace(settings, clean_session=True, will=None)
    client = make_client(clean)
    answered = threading.Event()
    client.on_connect = lambda *_: answered.set()
    try:
        open_socket(client, clean)
    except (OSError, ValueError):
        return  # the broker is away: it keeps the session, as after a crash
    client.loop_start()
    answered.wait(timeout)
    client.disconnect()
    client.loop_stop()


def is_refusal(reason: Any) -> bool:
    """True for a reason code (CONNACK, SUBACK, PUBACK) that reports a failure."""
    return bool(getattr(reason, "is_failure", False))


def reason_text(reason: Any) -> str:
    return str(reason).lower() if reason is not None else "no reason given"
