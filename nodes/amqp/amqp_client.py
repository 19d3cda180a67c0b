"""An AMQP connection with one channel on the running event loop, with awaitable operations.

pika's ``AsyncioConnection`` does its I/O on the asyncio loop through callbacks; this wraps those
callbacks in futures. One :class:`AmqpClient` is one connection and one channel: when either
closes, every pending operation fails at once (the broker's reply code for a channel it closed,
:class:`~flowrt.api.ConnectionLost` for a connection that dropped), ``on_lost`` is told once, and
the client is done: the node makes a new one when it connects again.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flowrt.api import ConnectionLost, NodeError

from .amqp_errors import ChannelRefused, lost, open_failure

Returned = tuple[str, str, bytes, int, str, Any]
"""A message the broker returned as unroutable: exchange, routing key, body, reply code,
reply text, properties."""

CLOSE_TIMEOUT = 5.0


class AmqpClient:
    """One connection and its channel. Make it with :meth:`open`."""

    def __init__(self, server: str, on_lost: Callable[[NodeError], None] | None) -> None:
        self.server = server
        self.on_lost = on_lost
        self.on_blocked: Callable[[bool], None] | None = None
        self.connection: Any = None
        self.channel: Any = None
        self.failure: NodeError | None = None
        """Why the client stopped working; None while it works."""
        self.returned: list[Returned] = []
        self._loop = asyncio.get_running_loop()
        self._pending: set[asyncio.Future[Any]] = set()
        self._unconfirmed: OrderedDict[int, asyncio.Future[bool]] = OrderedDict()
        self._published = 0
        self._closing = False
        self._closed = self._loop.create_future()

    # opening -----------------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        parameters: Any,
        *,
        server: str,
        user: str,
        vhost: str,
        on_lost: Callable[[NodeError], None] | None = None,
    ) -> AmqpClient:
        """Connect and open a channel; raises AuthFailed or NotConnected, saying why."""
        from pika.adapters.asyncio_connection import AsyncioConnection

        client = cls(server, None)
        opened = client._future()

        def open_failed(_conn: Any, exc: BaseException) -> None:
            if not opened.done():
                opened.set_exception(exc)

        def open_done(conn: Any) -> None:
            if client._closing:  # abandoned while opening: close it now that it can be
                conn.close()
            else:
                _resolve(opened, None)

        client.connection = AsyncioConnection(
            parameters,
            on_open_callback=open_done,
            on_open_error_callback=open_failed,
            on_close_callback=client._connection_closed,
            custom_ioloop=client._loop,
        )
        try:
            try:
                await opened
            except NodeError:
                raise
            except Exception as exc:
                raise open_failure(exc, server, user, vhost) from exc
            client.connection.add_on_connection_blocked_callback(
                lambda *_: client.on_blocked and client.on_blocked(True))
            client.connection.add_on_connection_unblocked_callback(
                lambda *_: client.on_blocked and client.on_blocked(False))
            ready = client._future()
            client.connection.channel(
                on_open_callback=lambda ch: _resolve(ready, ch)
            )
            client.channel = await ready
        except BaseException:
            client._abandon()
            raise
        client.channel.add_on_close_callback(client._channel_closed)
        client.channel.add_on_cancel_callback(client._consumer_cancelled)
        client.channel.add_on_return_callback(client._message_returned)
        client.on_lost = on_lost
        return client

    # operations --------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.failure is None and not self._closing

    async def rpc(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """Call a channel method that takes ``callback=``; returns the reply's method frame
        (``Queue.DeclareOk``...). Raises ChannelRefused if the broker closed the channel in
        answer, ConnectionLost if the connection dropped meanwhile."""
        self._check()
        reply = self._future()

        def answered(frame: Any) -> None:
            if not reply.done():
                reply.set_result(frame.method)

        self._call(method, *args, callback=answered, **kwargs)
        return await reply

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        import pika.exceptions as pe

        try:
            return getattr(self.channel, method)(*args, **kwargs)
        except (pe.ChannelWrongStateError, pe.ConnectionWrongStateError) as exc:
            raise lost(exc, self.server) from exc

    def _check(self) -> None:
        if self.failure is not None:
            raise self.failure
        if self._closing:
            raise lost(None, self.server)

    def send(self, method: str, *args: Any, **kwargs: Any) -> bool:
        """Call a channel method that has no reply (``basic_ack``, ``basic_nack``...).
        Returns False, doing nothing, when the channel is no longer open."""
        if self.failure is not None or self.channel is None or not self.channel.is_open:
            return False
        self._call(method, *args, **kwargs)
        return True

    async def consume(self, queue: str, on_message: Callable[..., None]) -> str:
        """Start a consumer with manual acknowledgement; returns its consumer tag."""
        self._check()
        started = self._future()
        tag: str = self._call(
            "basic_consume", queue, on_message, auto_ack=False,
            callback=lambda frame: _resolve(started, frame),
        )
        await started
        return tag

    async def enable_confirms(self) -> None:
        """Put the channel in confirm mode: :meth:`publish` then returns futures."""
        await self.rpc("confirm_delivery", self._confirmed)

    def publish(
        self, exchange: str, routing_key: str, body: bytes, properties: Any, mandatory: bool
    ) -> asyncio.Future[bool]:
        """Publish one message; the future is True when the broker confirmed it, False when it
        nacked it, and fails if the channel or connection closes first."""
        self._check()
        confirmed: asyncio.Future[bool] = self._loop.create_future()
        self._published += 1
        self._unconfirmed[self._published] = confirmed
        self._call("basic_publish", exchange, routing_key, body, properties, mandatory)
        return confirmed

    # closing -----------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the channel and the connection (unacknowledged deliveries go back to their
        queues); waits for the broker at most a few seconds."""
        if self._closing:
            return
        self._closing = True
        conn = self.connection
        if conn is None or conn.is_closed:
            return
        if not conn.is_closing:
            try:
                conn.close()
            except Exception:  # never opened: nothing left to close
                return
        try:
            async with asyncio.timeout(CLOSE_TIMEOUT):
                await asyncio.shield(self._closed)
        except TimeoutError:
            pass

    def _abandon(self) -> None:
        """Drop a connection that did not finish opening (or whose opener was cancelled).
        One still opening is closed when it opens: interrupting pika's connection workflow
        midway is not reliable (it can leave a socket that opens later, unowned)."""
        self._closing = True
        conn = self.connection
        if conn is not None and conn.is_open:
            conn.close()

    # pika callbacks ----------------------------------------------------------------------

    def _future(self) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = self._loop.create_future()
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return future

    def _fail(self, error: NodeError) -> None:
        first = self.failure is None
        if first:
            self.failure = error
        for future in [*self._pending, *self._unconfirmed.values()]:
            if not future.done():
                future.set_exception(error)
                future.exception()  # retrieved: an abandoned operation must not warn
        self._pending.clear()
        self._unconfirmed.clear()
        if first and not self._closing and self.on_lost is not None:
            self.on_lost(error)

    def _connection_closed(self, _conn: Any, reason: BaseException) -> None:
        self._fail(lost(reason, self.server))
        if not self._closed.done():
            self._closed.set_result(None)

    def _channel_closed(self, _channel: Any, reason: BaseException) -> None:
        import pika.exceptions as pe

        if isinstance(reason, pe.ChannelClosedByBroker):
            error: NodeError = ChannelRefused(reason.reply_code, reason.reply_text)
        else:
            error = lost(reason, self.server)
        self._fail(error)
        conn = self.connection
        if conn is not None and conn.is_open:
            conn.close()  # one channel per client: without it the connection is of no use

    def _consumer_cancelled(self, _frame: Any) -> None:
        self._fail(ConnectionLost(f"the AMQP broker at {self.server} cancelled the consumer "
                                  "(was the queue deleted?)"))
        self._abandon()

    def _message_returned(self, _ch: Any, method: Any, props: Any, body: bytes) -> None:
        self.returned.append(
            (method.exchange, method.routing_key, body, method.reply_code, method.reply_text,
             props)
        )

    def _confirmed(self, frame: Any) -> None:
        method = frame.method
        ok = method.NAME == "Basic.Ack"
        tag = method.delivery_tag
        waiting = self._unconfirmed
        if method.multiple:
            while waiting:
                first = next(iter(waiting))
                if first > tag:
                    break
                _resolve(waiting.popitem(last=False)[1], ok)
        elif tag in waiting:
            _resolve(waiting.pop(tag), ok)


def _resolve(future: asyncio.Future[Any], value: Any) -> None:
    if not future.done():
        future.set_result(value)
