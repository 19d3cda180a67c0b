"""udp-in: the datagrams that arrive on a UDP port."""

from __future__ import annotations

import asyncio
import socket
from collections import deque
from typing import Any, Literal

from flowrt.api import Ack, Message, NodeConfig, NodeError, NotConnected, Source, field

from .net_payload import DataType, decode_datagram
from .udp_ports import listening, stopped

WAITING = 10_000
"""Datagrams waiting for the flow; beyond this the oldest is dropped, with a warning (UDP has
no way to slow the senders down)."""


class UdpIn(Source):
    """Receive UDP datagrams on a port, optionally from a multicast group.

    ### Outputs

    - `payload`: the datagram, as bytes (`data_type: buffer`), text (`utf8`) or base64 text.
    - `ip`, `port`: the sender's address; `fromip`: both as `ip:port`.

    ### Details

    The node listens on `bind` (127.0.0.1 unless set; with a multicast `group`, every
    interface) and `port`. With `group` it joins that multicast group, on the interface whose
    address is `interface` (any, when not set), and shares the port with other sockets.

    A port that cannot be listened on is an error for catch nodes; the node retries with
    back-off. Datagrams arriving faster than the flow takes them wait, up to 10,000; beyond
    that the oldest is dropped and a warning says how many so far.

    A udp-out node with `local_port` equal to this node's port sends from this socket, so
    answers leave from the port the requests came to.

    ```yaml
    readings:
      type: udp-in
      port: 5140
      data_type: utf8
    ```
    """

    type = "udp-in"
    icon = "plug"

    class Config(NodeConfig):
        port: int = field(ge=1, le=65535, description="The port to listen on.",
                          examples=[5140])
        bind: str | None = field(
            None, description="The address to listen on; 127.0.0.1 when not set (every "
            "interface with a multicast group).", examples=["0.0.0.0"],
        )
        group: str | None = field(
            None, description="A multicast group to join.", examples=["239.1.2.3"]
        )
        interface: str | None = field(
            None, description="The address of the interface to join the group on.",
            examples=["192.168.1.20"],
        )
        ip_version: Literal[4, 6] = field(4, description="IPv4 or IPv6.")
        data_type: DataType = field(
            "buffer", description="The payload: `buffer` (bytes), `utf8` (text) or `base64`."
        )

    config: Config

    async def start(self) -> None:
        self._waiting: deque[tuple[bytes, Any]] = deque()
        self._wakeup: asyncio.Event = asyncio.Event()
        self._transport: asyncio.DatagramTransport | None = None
        self._dropped = 0
        self._reported = False

    def _socket(self) -> socket.socket:
        c = self.config
        six = c.ip_version == 6
        sock = socket.socket(socket.AF_INET6 if six else socket.AF_INET, socket.SOCK_DGRAM)
        bind = c.bind or (("::" if six else "0.0.0.0") if c.group else
                          ("::1" if six else "127.0.0.1"))
        try:
            if c.group:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((bind, c.port))
        except OSError as exc:
            sock.close()
            text = f"cannot listen on {bind}:{c.port}: {exc.strerror or exc}"
            if not self._reported:
                self._reported = True
                self.ctx.error(NodeError(text), {"_msgid": self.ctx.new_msgid()})
            raise NotConnected(text) from exc
        if c.group:
            try:
                if six:
                    mreq = socket.inet_pton(socket.AF_INET6, c.group) + (0).to_bytes(4, "little")
                    sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
                else:
                    mreq = socket.inet_aton(c.group) + socket.inet_aton(c.interface or "0.0.0.0")
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
            except OSError as exc:
                self.ctx.error(NodeError(f"cannot join multicast group {c.group}: {exc}"),
                               {"_msgid": self.ctx.new_msgid()})
        sock.setblocking(False)
        return sock

    async def connect(self) -> None:
        if self._transport is not None:
            return
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_datagram_endpoint(
            lambda: _Inbox(self), sock=self._socket())
        self._reported = False
        self._transport = transport
        listening(self.config.port, transport)

    def _arrived(self, data: bytes, address: Any) -> None:
        if len(self._waiting) >= WAITING:
            self._waiting.popleft()
            self._dropped += 1
            if self._dropped % WAITING == 1:
                self.ctx.warn(f"the flow is behind: dropped {self._dropped} datagram(s) so far "
                              f"({WAITING} were waiting)")
        self._waiting.append((data, address))
        self._wakeup.set()

    async def read(self) -> tuple[Message, Ack | None]:
        while not self._waiting:
            self._wakeup.clear()
            await self._wakeup.wait()
        data, address = self._waiting.popleft()
        ip, port = address[0], address[1]
        msg: Message = {"payload": decode_datagram(data, self.config.data_type),
                        "fromip": f"{ip}:{port}", "ip": ip, "port": port}
        return msg, None

    async def close(self) -> None:
        if self._transport is not None:
            stopped(self.config.port, self._transport)
            self._transport.close()
            self._transport = None


class _Inbox(asyncio.DatagramProtocol):
    def __init__(self, node: UdpIn) -> None:
        self.node = node

    def datagram_received(self, data: bytes, addr: Any) -> None:
        self.node._arrived(data, addr)

    def error_received(self, exc: Exception) -> None:
        self.node.ctx.log(f"socket error: {exc}")
