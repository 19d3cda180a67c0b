"""udp-out: send each message as a UDP datagram."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any, Literal

from flowrt.api import Confirmation, Message, NodeConfig, NodeError, Sink, field

from .net_payload import payload_bytes
from .udp_ports import listener


class UdpOut(Sink):
    """Send `msg.payload` as a UDP datagram to an address and port.

    ### Inputs

    - `payload`: bytes as they are; text as UTF-8 (or decoded from base64 with `base64:
      true`); anything else as its text. A message with no payload sends nothing.
    - `ip`, `port`: where to send it, when the node's `host` / `port` are not set.

    ### Details

    `mode: broadcast` allows broadcast addresses (`255.255.255.255`, a subnet's); `mode:
    multicast` sends to the group `host` on the interface whose address is `interface`, with
    a TTL of 128 and without looping back to this host, as Node-RED does.

    `local_port` sends from that port: from udp-in's socket when one listens on it (so
    answers leave from the port requests came to), else from a socket bound to it. Without it
    the system picks a port.

    A message without an address or a port is not sent, with a warning (as in Node-RED);
    one the system refuses to send is an error for catch nodes.

    ```yaml
    to_syslog:
      type: udp-out
      host: 192.168.1.10
      port: 514
    ```
    """

    type = "udp-out"
    icon = "plug"

    class Config(NodeConfig):
        host: str | None = field(
            None, description="The address to send to; when not set, `msg.ip`.",
            examples=["192.168.1.10", "239.1.2.3"],
        )
        port: int | None = field(
            None, ge=1, le=65535, description="The port to send to; when not set, `msg.port`.",
            examples=[514],
        )
        local_port: int | None = field(
            None, ge=1, le=65535, description="The port to send from (udp-in's socket when "
            "one listens on it).", examples=[5140],
        )
        mode: Literal["unicast", "broadcast", "multicast"] = field(
            "unicast", description="`broadcast` allows broadcast addresses; `multicast` "
            "sends to a multicast group.",
        )
        interface: str | None = field(
            None, description="The address of the interface to send multicast from.",
            examples=["192.168.1.20"],
        )
        ip_version: Literal[4, 6] = field(4, description="IPv4 or IPv6.")
        base64: bool = field(False, description="Decode a text payload from base64 first.")

    config: Config

    @classmethod
    def confirms(cls, config: Any) -> Confirmation:
        return Confirmation(
            False, reason="UDP has no acknowledgement: a datagram may be lost on the way and "
            "nobody is told", fix="Use TCP (tcp-request) or a broker where every message counts",
        )

    async def start(self) -> None:
        self._sock: socket.socket | None = None
        self._shared: asyncio.DatagramTransport | None = None

    def _socket(self) -> socket.socket:
        c = self.config
        six = c.ip_version == 6
        sock = socket.socket(socket.AF_INET6 if six else socket.AF_INET, socket.SOCK_DGRAM)
        try:
            if c.mode != "unicast":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            if c.mode == "multicast" and not six:
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 128)
                sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
                if c.interface:
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                                    socket.inet_aton(c.interface))
            if c.local_port:
                sock.bind(("::" if six else "0.0.0.0", c.local_port))
        except OSError as exc:
            sock.close()
            raise NodeError(f"cannot set up the socket: {exc.strerror or exc}") from exc
        sock.setblocking(False)
        return sock

    async def write(self, batch: list[Message]) -> None:
        for msg in batch:
            if "payload" in msg:
                await self._send(msg)

    async def _send(self, msg: Message) -> None:
        c = self.config
        host = c.host or msg.get("ip") or ""
        port = c.port or msg.get("port") or 0
        if host == "":
            self.ctx.warn("udp: ip address not set", msg)
            return
        if port == 0:
            self.ctx.warn("udp: port not set", msg)
            return
        number = _port(port)
        if number is None:
            self.ctx.warn("udp: port number not valid", msg)
            return
        data = payload_bytes(msg["payload"], c.base64)
        loop = asyncio.get_running_loop()
        try:
            address = await _resolve(loop, str(host), number, c.ip_version)
            shared = listener(c.local_port) if c.local_port else None
            if shared is not None:
                shared.sendto(data, address)
                return
            if self._sock is None:
                self._sock = self._socket()
            await loop.sock_sendto(self._sock, data, address)
        except OSError as exc:
            self.ctx.error(NodeError(f"udp : {exc.strerror or exc} ({host}:{number})"), msg)

    async def stop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def _port(value: Any) -> int | None:
    """A port given on the message (a number, or its text), or None when it is not one."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() and 1 <= number <= 65535 else None


async def _resolve(loop: asyncio.AbstractEventLoop, host: str, port: int, version: int
                   ) -> tuple[Any, ...]:
    """The socket address of ``host`` (an IP address, or a name looked up)."""
    try:
        ipaddress.ip_address(host)
        return (host, port)
    except ValueError:
        pass
    family = socket.AF_INET6 if version == 6 else socket.AF_INET
    found = await loop.getaddrinfo(host, port, family=family, type=socket.SOCK_DGRAM)
    return tuple(found[0][4])
