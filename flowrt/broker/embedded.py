"""The embedded MQTT broker (amqtt, MQTT 3.1.1): the one that ``flowrt run --mqtt-broker``
starts beside the flows, and that an ``mqtt-server`` node runs while its flow runs.

With no users it lets anyone in, so it listens on a loopback address only (127.0.0.1, ::1 or
localhost; :func:`check_broker_host` refuses any other). With users (passwords kept as
Argon2 hashes) and optional per-user topic ACLs (:mod:`flowrt.broker.access`) it may
listen on any address; TLS (a certificate and key file) keeps the passwords off the wire.
Retained messages live in memory: they, and sessions, are lost when the broker stops. For
production, MQTT 5, shared subscriptions, bridges or persistence, run Mosquitto
(docs/mqtt-broker.md).

amqtt answers an MQTT 5 client with a 3.1.1 refusal that the client cannot read, so the client
waits for its connect timeout while amqtt logs a traceback. The broker here looks at each
connection's CONNECT first: an MQTT 5 client gets a refusal it understands ("unsupported
protocol version") at once, and the log says to set ``protocol: "3.1.1"``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable, Mapping
from typing import Any

from flowrt.errors import ConfigError
from flowrt.netloc import host_port

log = logging.getLogger("flowrt.broker")

MQTT5_REFUSAL = bytes([0x20, 0x03, 0x00, 0x84, 0x00])
"""An MQTT 5 CONNACK: no session, reason 0x84 (unsupported protocol version), no properties."""


class EmbeddedBroker:
    """An amqtt broker on ``host:port``.

    ``users``: user name -> password or Argon2 hash (none: anyone gets in, loopback only);
    ``acl``: user name (or ``*``) -> ``{"publish": [...], "subscribe": [...], "deny": [...]}``
    topic patterns with ``%u`` and ``%c`` (:func:`flowrt.broker.access.allows`; none: users
    may use every topic); ``listener``: called with each
    client and publish event (:data:`flowrt.broker.access.Event`); ``cert_file`` and
    ``key_file``: serve MQTT over TLS; ``ws_port``: also serve MQTT over WebSockets there;
    ``store``: an SQLite file keeping retained messages and users' persistent sessions across
    restarts (:mod:`flowrt.broker.persistence`; none: they live in memory).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 1883, *,
                 users: Mapping[str, str] | None = None,
                 acl: Mapping[str, Mapping[str, list[str]]] | None = None,
                 listener: Callable[[Any], None] | None = None,
                 cert_file: str | None = None, key_file: str | None = None,
                 ws_port: int | None = None, store: str | None = None) -> None:
        from flowrt.broker.access import hash_passwords

        self.host = host
        self.port = port
        self.users = hash_passwords(users or {})
        """User name -> Argon2 hash: the passwords are not kept."""
        self.acl = None if acl is None else {k: dict(v) for k, v in acl.items()}
        self.listener = listener
        self.cert_file = cert_file
        self.key_file = key_file
        self.ws_port = ws_port
        self.store = store
        self._broker: Any = None

    def config(self) -> dict[str, Any]:
        """amqtt's configuration for this broker (passwords hashed)."""
        tls: dict[str, Any] = {}
        if self.cert_file or self.key_file:
            tls = {"ssl": True, "certfile": self.cert_file, "keyfile": self.key_file}
        # amqtt's bind is HOST:PORT split at the last colon, an IPv6 literal without brackets
        # (given "[::1]:1883" it keeps the brackets in the host, which no resolver knows)
        host = self.host.strip("[]")
        listeners: dict[str, Any] = {
            "default": {"type": "tcp", "bind": f"{host}:{self.port}", **tls}}
        if self.ws_port is not None:
            listeners["ws"] = {"type": "ws", "bind": f"{host}:{self.ws_port}", **tls}
        plugins: dict[str, Any] = {
            f"{_ACCESS}.UsersPlugin": {"users": self.users,
                                       "listener": self.listener},
            f"{_ACCESS}.TopicAclPlugin": {"acl": self.acl},
        }
        if self.store is not None:
            plugins["flowrt.broker.persistence.SessionStorePlugin"] = {"file": self.store}
        if self.listener is not None:
            plugins[f"{_ACCESS}.EventsPlugin"] = {"listener": self.listener}
        return {"listeners": listeners, "plugins": plugins}

    async def start(self) -> None:
        check_broker_host(self.host, self.port, users=bool(self.users))
        for port in (self.port, self.ws_port):
            if port is not None:
                _check_free(self.host, port)
        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        broker = _broker_class()(self.config())
        await broker.start()
        self._broker = broker

    @property
    def clients(self) -> int:
        """How many clients are connected now."""
        if self._broker is None:
            return 0
        return sum(1 for session, _ in self._broker.sessions.values()
                   if session.transitions.is_connected())

    async def stop(self) -> None:
        if self._broker is not None:
            broker, self._broker = self._broker, None
            await broker.shutdown()


_ACCESS = "flowrt.broker.access"


def check_broker_host(host: str, port: int, *, users: bool = False) -> None:
    """ConfigError unless ``host`` is a loopback address or the broker has ``users``: without
    users, anyone who reaches the embedded broker may publish and subscribe to every topic."""
    if users:
        return
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(
            f"refusing to start the embedded MQTT broker on {host_port(host, port)}: it has no "
            "users and lets anyone publish and subscribe, so it listens on loopback only (e.g. "
            f"127.0.0.1:{port}); give it users (--mqtt-user NAME=SECRET, or an mqtt-server "
            "node's `users`), or for clients on other machines run Mosquitto (or another "
            "broker) with users and point the flows' mqtt-broker connection at it")


async def read_connect_head(reader: asyncio.StreamReader) -> tuple[bytes, int | None]:
    """The first bytes of a connection, up to the protocol level of its CONNECT, and that
    level (None when the bytes are not a CONNECT: amqtt then deals with them)."""
    head = await reader.readexactly(1)
    if head[0] != 0x10:
        return head, None
    for _ in range(4):  # the remaining length: 1 to 4 bytes, the high bit says "more"
        byte = await reader.readexactly(1)
        head += byte
        if not byte[0] & 0x80:
            break
    size = await reader.readexactly(2)
    name = await reader.readexactly(int.from_bytes(size, "big"))
    level = await reader.readexactly(1)
    return head + size + name + level, level[0]


def _broker_class() -> Any:
    """amqtt's Broker, with the CONNECT looked at first (amqtt is imported only here)."""
    from amqtt.adapters import StreamReaderAdapter, StreamWriterAdapter
    from amqtt.broker import Broker
    from amqtt.contexts import Action
    from amqtt.plugins.base import BaseTopicPlugin

    class Replay(StreamReaderAdapter):  # type: ignore[misc]
        """A reader that gives back the bytes already read before reading on."""

        def __init__(self, reader: asyncio.StreamReader, head: bytes) -> None:
            super().__init__(reader)
            self._head = head

        async def read(self, n: int = -1) -> bytes:
            head, self._head = self._head, b""
            if not head:
                return bytes(await super().read(n))
            if n == -1:
                return head + bytes(await self._reader.read(-1))
            if n < len(head):
                self._head = head[n:]
                return head[:n]
            rest = await self._reader.readexactly(n - len(head)) if n > len(head) else b""
            return head + rest

    class FlowrtBroker(Broker):  # type: ignore[misc]
        async def _topic_filtering(self, session: Any, topic: str, action: Any) -> bool:
            """amqtt's check, without handing the loop over: amqtt runs the topic plugins as
            tasks, and while they run a subscription may change the subscriptions that
            ``_run_broadcast`` iterates (RuntimeError, and that message is lost). Ours
            (:mod:`flowrt.broker.access`) decide at once; every one must allow."""
            for plugin in self.plugins_manager.plugins:
                if isinstance(plugin, BaseTopicPlugin) and await plugin.topic_filtering(
                        session=session, topic=topic, action=action) is False:
                    return False
            return True

        async def _publish_retained_messages_for_subscription(
                self, subscription: tuple[str, int], session: Any) -> None:
            """amqtt's, with each retained message checked as a delivered one is: amqtt hands
            every retained message the new filter matches, so a subscription the ACL grants
            (``devices/#``) would get one that a ``deny`` line keeps from it."""
            topic_filter, qos = subscription
            handler = self._get_handler(session)
            if handler is None:
                return
            sending = [
                asyncio.ensure_future(handler.mqtt_publish(
                    retained.topic, retained.data, min(qos, retained.qos or qos), retain=True))
                for topic, retained in list(self._retained_messages.items())
                if self._matches(topic, topic_filter)
                and await self._topic_filtering(session, topic, Action.RECEIVE)]
            if sending:
                await asyncio.wait(sending)

        async def stream_connected(
            self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, listener_name: str
        ) -> None:
            peer = writer.get_extra_info("peername")
            try:
                head, level = await read_connect_head(reader)
                if level == 5:
                    log.warning(
                        "a client at %s asked for MQTT 5: the embedded broker speaks MQTT "
                        "3.1.1 only; set `protocol: \"3.1.1\"` on its mqtt-broker connection, "
                        "or use Mosquitto", host_port(*peer[:2]) if peer else "?",
                    )
                    writer.write(MQTT5_REFUSAL)
                    await writer.drain()
                    writer.close()
                    return
                await self.external_connected(
                    Replay(reader, head), StreamWriterAdapter(writer), listener_name
                )
            except (asyncio.IncompleteReadError, ConnectionError, OSError):
                writer.close()  # the client went away mid-handshake: nothing to tell anyone

    return FlowrtBroker


def _check_free(host: str, port: int) -> None:
    """Fail with the address in the message if something already listens there."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise OSError(
                f"cannot start the embedded MQTT broker on {host_port(host, port)}: {exc.strerror} "
                "(is another broker running there? use it, or give --mqtt-broker HOST:PORT)"
            ) from exc
