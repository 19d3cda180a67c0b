"""UDP sockets of 127.0.0.1 that the udp tests send from and receive on."""

from __future__ import annotations

import asyncio
import socket
from typing import Any


def receiver() -> socket.socket:
    """A non-blocking datagram socket on a free port of 127.0.0.1."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    return sock


async def datagram(sock: socket.socket) -> tuple[bytes, Any]:
    """The next datagram ``sock`` receives, and its sender."""
    loop = asyncio.get_running_loop()
    return await asyncio.wait_for(loop.sock_recvfrom(sock, 65536), 30)
