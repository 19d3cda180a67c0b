"""amqp-in: consume messages from an AMQP queue, acknowledged once the flow finished them."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import (
    Ack,
    ConfigError,
    ConnectionLost,
    Message,
    NodeConfig,
    NodeError,
    Source,
    field,
)

from .amqp_broker import AmqpBroker
from .amqp_client import AmqpClient
from .amqp_delivery import Acks, Delivery, Redeliveries
from .amqp_errors import ChannelRefused
from .amqp_message import PayloadError, PayloadFormat, incoming
from .amqp_subscription import subscribe

log = logging.getLogger("flowrt.node.amqp")

OnError = Literal["auto", "requeue", "dead-letter", "drop"]
ExchangeType = Literal["direct", "fanout", "topic", "headers"]
SETTLE_WAIT = 2.0
"""Seconds ``stop`` waits for the engine's last acknowledgements before closing."""
QUEUE_SETTINGS = frozenset(("durable", "exclusive", "auto_delete", "arguments"))


class AmqpIn(Source):
    """Consume messages from an AMQP queue (RabbitMQ), acknowledged once the flow finished them.

    ### Outputs

    - `payload`: the body: see `payload_format`.
    - `topic` (string): the routing key the message was published with.
    - `amqp` (object): `exchange`, `routing_key`, `delivery_tag`, `redelivered` (true when the
      broker delivered the message before) and `properties`: `content_type`,
      `content_encoding`, `headers` (`{}` when none), `correlation_id`, `reply_to`,
      `expiration`, `message_id`, `timestamp`, `priority`, `delivery_mode`, `type`, `app_id`
      (null when the message did not set them).

    ### Details

    Read from an existing `queue`, or let the node declare it (`declare: true`, with
    `durable`, `exclusive`, `auto_delete` and `arguments` such as `x-dead-letter-exchange` or
    `x-queue-type: quorum`). With `exchange`, the queue is bound to that exchange with each of
    `binding_keys`; without `queue`, the broker names a private queue that lives as long as
    the connection (messages published while the node is disconnected are not kept: use a
    named, durable queue for those).

    **Acknowledgement.** A message is acknowledged (`basic.ack`) only when every branch of the
    flow it went down has finished with it: sinks committed, scripts returned. So a crash or a
    stop never loses a message: the broker delivers again what was not acknowledged. At most
    `prefetch` messages are unacknowledged at a time; that bounds the work a worker takes on,
    and with several workers on one queue each takes its share.

    **Failures.** When a node fails on a message and no catch node takes the error, the
    message is settled by `on_error`:

    - `requeue`: back to the queue, to be delivered again (to this or another worker);
    - `dead-letter`: rejected without requeue: the broker moves it to the queue's dead letter
      exchange (or drops it when the queue has none);
    - `drop`: acknowledged and forgotten (the error is still logged);
    - `auto` (default): `dead-letter` when `arguments` give an `x-dead-letter-exchange`,
      else `requeue`.

    A requeued message that always fails comes back forever: `max_redeliveries: N` gives up
    (dead-letters it, with a warning) once it was delivered N times again. Quorum queues count
    redeliveries themselves (`x-delivery-count`); on classic queues the node counts those it
    saw, so with several workers the limit is approximate.

    A message caught by a catch node counts as handled: it is acknowledged once the catch
    flow finishes (publish it somewhere from there to keep it).

    **Stopping** cancels the consumer at once and gives back messages not yet started; the
    ones in progress finish and are acknowledged within the engine's drain time, the rest go
    back to the queue (whatever `on_error` says, and without counting towards
    `max_redeliveries`: a stop is not a failure of the message).

    ```yaml
    jobs:
      type: amqp-in
      connection: rabbit
      queue: jobs
      declare: true
      arguments: {x-dead-letter-exchange: jobs.dead}
      prefetch: 20
      to: work
    ```
    """

    type = "amqp-in"
    icon = "queue"

    class Config(NodeConfig):
        connection: str = field(
            description="The `amqp-broker` connection to consume through.",
            connection="amqp-broker", examples=["rabbit"],
        )
        queue: str | None = field(
            None, min_length=1,
            description="The queue to consume from; when not set (with `exchange`), a private "
            "queue named by the broker.", examples=["jobs"],
        )
        declare: bool = field(
            False,
            description="Declare the queue (and the exchange) with the settings below; when "
            "false they must exist.",
        )
        durable: bool = field(
            True, description="Declared queue: survives a broker restart."
        )
        exclusive: bool = field(
            False, description="Declared queue: only this connection may use it."
        )
        auto_delete: bool = field(
            False, description="Declared queue: deleted when its last consumer goes."
        )
        arguments: dict[str, Any] = field(
            default_factory=dict,
            description="Declared queue: its arguments.",
            examples=[{"x-dead-letter-exchange": "jobs.dead"}, {"x-queue-type": "quorum"}],
        )
        exchange: str | None = field(
            None, min_length=1,
            description="Bind the queue to this exchange (declared as well with "
            "`declare: true`).", examples=["events"],
        )
        exchange_type: ExchangeType = field(
            "topic", description="The exchange's type, when the node declares it."
        )
        binding_keys: list[str] = field(
            default_factory=list,
            description="Routing keys (topic patterns for a topic exchange) to bind with.",
            examples=[["sensor.*.temperature", "alarm.#"]],
        )
        binding_arguments: dict[str, Any] = field(
            default_factory=dict, advanced=True,
            description="Arguments of each binding (a headers exchange's `x-match` and headers).",
            examples=[{"x-match": "all", "site": "north"}],
        )
        prefetch: int = field(
            100, ge=1, le=65535,
            description="Most messages unacknowledged at a time (in the flow, or waiting).",
        )
        on_error: OnError = field(
            "auto", description="What a failed message becomes: see Details."
        )
        max_redeliveries: int | None = field(
            None, ge=0,
            description="Dead-letter a failing message once it was redelivered this many "
            "times; none: no limit.", examples=[5],
        )
        payload_format: PayloadFormat = field(
            "auto",
            description="`auto`: JSON, text or bytes by content type and content; or always "
            "`json`, `string` or `bytes`.",
        )

        @model_validator(mode="after")
        def _consistent(self) -> AmqpIn.Config:
            if self.queue is None and self.exchange is None:
                raise ValueError("set `queue`, or `exchange` to consume from a private queue")
            if self.binding_keys and self.exchange is None:
                raise ValueError("`binding_keys` need an `exchange` to bind to")
            if self.exchange and self.exchange_type in ("direct", "topic") and not (
                self.binding_keys
            ):
                raise ValueError(f"a {self.exchange_type} exchange needs `binding_keys`")
            set_here = QUEUE_SETTINGS & self.model_fields_set
            if self.queue is not None and not self.declare and set_here:
                names = ", ".join(f"`{n}`" for n in sorted(set_here))
                raise ValueError(f"{names} apply to a queue the node declares: set "
                                 "`declare: true`, or remove them")
            return self

    config: Config

    @classmethod
    def acknowledges(cls, config: Any) -> bool:
        return True

    @classmethod
    def once_in_group(cls, config: Any) -> bool:
        return False  # competing consumers: every worker reads the queue, each its share

    def window(self) -> tuple[str, int] | None:
        return self.id, self.config.prefetch  # the channel's basic.qos

    async def start(self) -> None:
        self._client: AmqpClient | None = None
        self._acks: Acks | None = None
        self._inbox: asyncio.Queue[tuple[Acks, Any, Any, bytes] | BaseException] = (
            asyncio.Queue()
        )
        self._closing = False
        self._consumer_tag = ""
        self._queue = self.config.queue or ""
        self._outstanding = 0
        self._settled = asyncio.Event()
        self._settled.set()
        self._redeliveries = Redeliveries()
        self._has_dlx = "x-dead-letter-exchange" in self.config.arguments

    def _broker(self) -> AmqpBroker:
        return self.ctx.connection(self.config.connection, AmqpBroker)

    # connecting --------------------------------------------------------------------------

    async def connect(self) -> None:
        await self._drop_client()
        self.ctx.status("yellow", "ring", "connecting")
        broker = self._broker()
        inbox: asyncio.Queue[tuple[Acks, Any, Any, bytes] | BaseException] = (
            asyncio.Queue()
        )
        self._inbox = inbox
        client = await broker.client(self.id, on_lost=lambda error: self._lost(inbox, error))
        acks = Acks(client)

        def arrived(_channel: Any, method: Any, properties: Any, body: bytes) -> None:
            if self._closing:
                client.send("basic_nack", method.delivery_tag, requeue=True)
            else:
                acks.delivered(method.delivery_tag)
                inbox.put_nowait((acks, method, properties, body))

        try:
            self._queue, self._consumer_tag = await subscribe(
                client, self.config, broker, arrived)
        except BaseException as exc:
            await client.close()
            if isinstance(exc, ConfigError):
                self.ctx.status("red", "ring", "configuration problem")
            raise
        self._client, self._acks = client, acks
        self.ctx.status("green", "dot", "connected")
        log.debug("%s: consuming from queue %s on %s", self.id, self._queue, broker.server)

    def _lost(
        self,
        inbox: asyncio.Queue[tuple[Acks, Any, Any, bytes] | BaseException],
        error: NodeError,
    ) -> None:
        """The connection dropped: what waits in the inbox is void (the broker redelivers
        it), and the next read raises, so the engine reconnects."""
        while not inbox.empty():
            inbox.get_nowait()
        inbox.put_nowait(error)
        if not self._closing:
            self.ctx.status("red", "ring", "disconnected")

    # reading -----------------------------------------------------------------------------

    async def read(self) -> tuple[Message, Ack | None]:
        fmt = self.config.payload_format
        while True:
            item = await self._inbox.get()
            if isinstance(item, BaseException):
                await self._drop_client()
                if isinstance(item, ChannelRefused):  # the next connect says what is wrong
                    raise ConnectionLost(f"the broker closed the channel: {item}") from item
                raise item
            acks, method, properties, body = item
            delivery = Delivery(self, acks, method, properties, body)
            self._outstanding += 1
            self._settled.clear()
            try:
                msg = incoming(method, properties, body, fmt)
            except PayloadError as exc:
                self._unreadable(delivery, exc)
                continue
            headers = getattr(properties, "headers", None)
            if isinstance(headers, dict):
                self.ctx.continue_trace(msg, headers.get("traceparent"))
            return msg, delivery

    def _unreadable(self, delivery: Delivery, exc: PayloadError) -> None:
        fmt = self.config.payload_format
        self.ctx.warn(
            f"{delivery.describe()} (routing key '{delivery.method.routing_key}') cannot be "
            f"read as {fmt}: {exc}; it is settled as failed (on_error: {self.config.on_error}); "
            "set `payload_format: auto` to take any body"
        )
        self.settle(delivery, failed=True)

    # settling ----------------------------------------------------------------------------

    def settle(self, delivery: Delivery, *, failed: bool, requeue: bool = True) -> None:
        """Acknowledge a delivery, or settle a failed one by the ``on_error`` policy. A
        delivery whose channel has closed is left alone: the broker delivers it again."""
        self._outstanding -= 1
        if self._outstanding <= 0:
            self._settled.set()
        acks = delivery.acks
        if not acks.client.is_open:
            log.debug("%s: %s not settled: its channel closed, the broker delivers it again",
                      self.id, delivery.describe())
            return
        if not failed:
            self._redeliveries.succeeded(delivery)
            acks.ack(delivery.tag)
            return
        # while stopping, a failed delivery is one the engine gave up at its deadline: back
        # to the queue, neither dead-lettered nor counted towards max_redeliveries
        action = "requeue" if self._closing else self._failure_action(delivery, requeue)
        acks.forget(delivery.tag)
        if action == "drop":
            acks.client.send("basic_ack", delivery.tag)
        else:
            acks.client.send("basic_nack", delivery.tag, requeue=action == "requeue")

    def _failure_action(self, delivery: Delivery, requeue: bool) -> str:
        cfg = self.config
        policy: str = cfg.on_error
        if policy == "auto":
            policy = "dead-letter" if self._has_dlx else "requeue"
        if policy == "requeue" and not requeue:
            policy = "dead-letter"
        if policy == "requeue" and cfg.max_redeliveries is not None:
            seen = self._redeliveries.count(delivery)
            if seen >= cfg.max_redeliveries:
                self._redeliveries.succeeded(delivery)
                times = "redelivery" if seen == 1 else "redeliveries"
                self.ctx.warn(
                    f"{delivery.describe()} from queue '{self._queue}' failed again after "
                    f"{seen} {times}: dead-lettered (max_redeliveries: {cfg.max_redeliveries})"
                )
                return "dead-letter"
            self._redeliveries.failed(delivery)
        return policy

    # stopping ----------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop taking messages: cancel the consumer and give back those not yet read."""
        self._closing = True
        client = self._client
        if client is None or not client.is_open:
            return
        try:
            async with asyncio.timeout(SETTLE_WAIT):
                await client.rpc("basic_cancel", self._consumer_tag)
        except (TimeoutError, NodeError):
            pass  # the connection is going anyway: closing it cancels the consumer too
        while not self._inbox.empty():
            item = self._inbox.get_nowait()
            if not isinstance(item, BaseException):
                acks, method = item[0], item[1]
                acks.forget(method.delivery_tag)
                acks.client.send("basic_nack", method.delivery_tag, requeue=True)

    async def stop(self) -> None:
        """Wait (briefly) for the acknowledgements of the messages the flow finished, then
        close the connection; the broker requeues whatever is still unacknowledged."""
        self._closing = True
        if self._outstanding > 0:
            try:
                async with asyncio.timeout(SETTLE_WAIT):
                    await self._settled.wait()
            except TimeoutError:
                pass
        await self._drop_client()

    async def _drop_client(self) -> None:
        client, self._client = self._client, None
        if self._acks is not None:
            self._acks.flush()
            self._acks = None
        if client is not None:
            await client.close()
