"""The embedded MQTT broker (amqtt, MQTT 3.1.1) that ``flowrt run --mqtt-broker`` starts, so
MQTT flows run with no broker installed. It lets anyone in (it has no users: it is for one
machine, for development, demos and tests), so it listens on a loopback address only
(127.0.0.1, ::1 or localhost; :func:`check_broker_host` refuses any other), and keeps nothing
across restarts. For devices on other machines, production, MQTT 5 or shared subscriptions,
run Mosquitto or another broker with users.

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
from typing import Any

from flowrt.errors import ConfigError

log = logging.getLogger("flowrt.broker")

MQTT5_REFUSAL = bytes([0x20, 0x03, 0x00, 0x84, 0x00])
"""An MQTT 5 CONNACK: no session, reason 0x84 (unsupported protocol version), no properties."""


class EmbeddedBroker:
    def __init__(self, host: str = "127.0.0.1", port: int = 1883) -> None:
        self.host = host
        self.port = port
        self._broker: Any = None

    async def start(self) -> None:
        check_broker_host(self.host, self.port)
        _check_free(self.host, self.port)
        for name in ("amqtt", "transitions"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self._broker = _broker_class()(
            {
                "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{self.port}"}},
                "plugins": {
                    "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
                },
            }
        )
        await self._broker.start()

    async def stop(self) -> None:
        if self._broker is not None:
            broker, self._broker = self._broker, None
            await broker.shutdown()


def check_broker_host(host: str, port: int) -> None:
    """ConfigError unless ``host`` is a loopback address: anyone who reaches the embedded
    broker may publish and subscribe to every topic."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ConfigError(
            f"refusing to start the embedded MQTT broker on {host}:{port}: it has no users "
            "and lets anyone publish and subscribe, so it listens on loopback only (e.g. "
            f"--mqtt-broker 127.0.0.1:{port}); for clients on other machines run Mosquitto "
            "(or another broker) with users and point the flows' mqtt-broker connection at it")


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
        async def stream_connected(
            self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, listener_name: str
        ) -> None:
            peer = writer.get_extra_info("peername")
            try:
                head, level = await read_connect_head(reader)
                if level == 5:
                    log.warning(
                        "a client at %s:%s asked for MQTT 5: the embedded broker speaks MQTT "
                        "3.1.1 only; set `protocol: \"3.1.1\"` on its mqtt-broker connection, "
                        "or use Mosquitto", *(peer or ("?", "?"))[:2],
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
                f"cannot start the embedded MQTT broker on {host}:{port}: {exc.strerror} "
                "(is another broker running there? use it, or give --mqtt-broker HOST:PORT)"
            ) from exc
