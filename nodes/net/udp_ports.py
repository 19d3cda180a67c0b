"""The UDP ports udp-in listens on in this process, so that udp-out can send from one of them
(`local_port`): an answer then comes from the port the request was sent to."""

from __future__ import annotations

import asyncio

_LISTENING: dict[int, asyncio.DatagramTransport] = {}


def listening(port: int, transport: asyncio.DatagramTransport) -> None:
    _LISTENING[port] = transport


def stopped(port: int, transport: asyncio.DatagramTransport) -> None:
    if _LISTENING.get(port) is transport:
        del _LISTENING[port]


def listener(port: int) -> asyncio.DatagramTransport | None:
    """udp-in's socket on ``port``, when one is open."""
    transport = _LISTENING.get(port)
    return None if transport is None or transport.is_closing() else transport
