"""HTTP/1.1 with deadlines for receiving a request: uvicorn's h11 protocol plus one timer.

uvicorn closes a kept-alive connection that stays idle (``timeout_keep_alive``), but sets no
deadline on a request while it arrives: a client that sends its headers a byte at a time
(slowloris), that connects and sends nothing, or that announces a body and trickles it, holds a
connection, a task and their buffers for as long as it likes. :class:`TimedH11Protocol` gives
each request two deadlines:

- its headers must be in within ``header_timeout`` seconds of the connection being made, or of
  the first byte of the request on a kept-alive connection;
- its body (if it has one) within ``body_timeout`` seconds of the headers.

When a deadline passes, the client gets ``408 Request Timeout`` (unless a response has started),
the connection is closed, the application sees the client disconnect, and one line is logged
(``flowrt.server``, warning). A request whose body is in is not timed any more (a deploy may take
long to answer), nor is a connection once upgraded to a WebSocket.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

log = logging.getLogger("flowrt.server")

HEADER_TIMEOUT = 20.0
BODY_TIMEOUT = 60.0
_TIMEOUT_BODY = b"the request did not arrive in time\n"
_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: " + str(len(_TIMEOUT_BODY)).encode() + b"\r\n\r\n"
    + _TIMEOUT_BODY
)


class TimedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline on the headers and one on the body."""

    header_timeout: float = HEADER_TIMEOUT
    body_timeout: float = BODY_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._phase: str | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._upgraded = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._watch(waiting=True)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch(waiting=True)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # idle between requests is uvicorn's keep-alive timeout; unless a next request has begun
        self._watch(waiting=bool(self.conn.trailing_data[0]))

    def handle_websocket_upgrade(self, event: h11.Request) -> None:
        self._set(None)
        self._upgraded = True  # the transport is the WebSocket protocol's from now on
        super().handle_websocket_upgrade(event)

    def connection_lost(self, exc: Exception | None) -> None:
        self._set(None)
        super().connection_lost(exc)

    def _watch(self, waiting: bool) -> None:
        """Time the part of the request that is still to come, if any."""
        if self._upgraded or self.transport.is_closing():
            self._set(None)
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            self._set("headers" if waiting else None)
        elif state is h11.SEND_BODY:
            self._set("body")
        else:
            self._set(None)

    def _set(self, phase: str | None) -> None:
        if phase == self._phase:
            return
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        self._phase = phase
        if phase is not None:
            limit = self.header_timeout if phase == "headers" else self.body_timeout
            self._deadline = self.loop.call_later(limit, self._expired)

    def _expired(self) -> None:
        phase, self._deadline = self._phase, None
        if self.transport.is_closing():
            return
        limit = self.header_timeout if phase == "headers" else self.body_timeout
        client = f"{self.client[0]}:{self.client[1]}" if self.client else "a client"
        log.warning("closed the connection of %s: the request's %s did not arrive within %g s",
                    client, phase, limit)
        cycle = self.cycle
        if cycle is None or cycle.response_complete or not cycle.response_started:
            self.transport.write(_TIMEOUT_RESPONSE)
        self.transport.close()


def timed_protocol(header_timeout: float, body_timeout: float) -> type[TimedH11Protocol]:
    """The protocol class to give uvicorn (``http=``) for these deadlines, in seconds."""
    return type("TimedH11Protocol", (TimedH11Protocol,),
                {"header_timeout": header_timeout, "body_timeout": body_timeout})
