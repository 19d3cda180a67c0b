"""amqp-out: publish messages to an AMQP exchange, each batch confirmed by the broker."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import ConfigError, Message, NodeError, Sink, SinkConfig, field

from .amqp_broker import AmqpBroker
from .amqp_client import AmqpClient, Returned
from .amqp_errors import ChannelRefused, refusal
from .amqp_message import PayloadError, encode_payload, outgoing_properties

ExchangeType = Literal["direct", "fanout", "topic", "headers"]
Prepared = tuple[str, bytes, dict[str, Any]]


class AmqpOut(Sink):
    """Publish messages to an AMQP exchange (RabbitMQ) with publisher confirms.

    ### Inputs

    - `payload`: the body. Objects, lists, numbers and booleans are sent as JSON with content
      type `application/json`; text as UTF-8 (`text/plain` unless the message gives a content
      type); bytes as they are. No payload sends an empty body.
    - `topic` (string): the routing key, when the node's `routing_key` is not set.
    - `amqp.properties` (object, optional): properties to publish with: `content_type`,
      `content_encoding`, `headers`, `correlation_id`, `reply_to`, `expiration`, `message_id`,
      `timestamp`, `priority`, `type`, `app_id` (what amqp-in gives, so a message read from
      one queue keeps them when published on).
    - `headers` (object, optional): headers, merged over `amqp.properties.headers`.

    ### Details

    Messages are published in batches of up to `batch_size` (whatever is waiting; the node
    never waits to fill a batch), and a batch is done only when the broker confirmed every
    message of it (publisher confirms): then the messages count as written, and the source
    they came from is acknowledged. While the broker is away the batch is kept and published
    again when it is back, so nothing is lost (a batch the broker did not confirm before the
    connection dropped may be published twice: at-least-once).

    The broker may refuse a message (a nack: a queue over its length limit with
    `x-overflow: reject-publish`), and with `mandatory: true` returns a message no queue is
    bound for. Either fails that message alone, with an error saying why (catch nodes get it,
    and its source is not acknowledged); the rest of the batch is written. So does a message
    with no routing key. An exchange that does not exist fails the whole batch.

    `exchange: ""` is the default exchange, which routes a message to the queue named by the
    routing key. With `declare: true` the node declares the exchange (durable, of
    `exchange_type`); else the exchange must exist. `persistent: true` (delivery mode 2) has
    durable queues keep the message through a broker restart; `msg.amqp.properties`'s
    `delivery_mode` is not used.

    Without `routing_key`, a message read by amqp-in carries the routing key it arrived with in
    `topic`: republishing it to the default exchange puts it back in the queue it came from.

    ```yaml
    results:
      type: amqp-out
      connection: rabbit
      exchange: results
      declare: true
      routing_key: job.done
    ```
    """

    type = "amqp-out"
    icon = "queue"

    class Config(SinkConfig):
        connection: str = field(
            description="The `amqp-broker` connection to publish through.",
            connection="amqp-broker", examples=["rabbit"],
        )
        exchange: str = field(
            "", description="The exchange to publish to; `\"\"` is the default exchange.",
            examples=["results", "amq.topic"],
        )
        exchange_type: ExchangeType = field(
            "topic", description="The exchange's type, when the node declares it."
        )
        declare: bool = field(
            False, description="Declare the exchange (durable); when false it must exist."
        )
        routing_key: str | None = field(
            None, description="The routing key; when not set, `msg.topic`.",
            examples=["job.done", "plant.alerts"],
        )
        persistent: bool = field(
            True, description="Publish persistent messages (delivery mode 2)."
        )
        mandatory: bool = field(
            False,
            description="Fail messages no queue is bound for, rather than let the broker drop "
            "them.",
        )
        batch_size: int = field(
            100, ge=1, le=10_000, advanced=True,
            description="Most messages published before waiting for the broker's confirms.",
        )

        @model_validator(mode="after")
        def _consistent(self) -> AmqpOut.Config:
            if self.declare and not self.exchange:
                raise ValueError("the default exchange (\"\") cannot be declared: name an "
                                 "exchange, or set `declare: false`")
            return self

    config: Config

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self.config.batch_size

    async def start(self) -> None:
        self._client: AmqpClient | None = None
        self._lock = asyncio.Lock()
        self._batch: list[Message] | None = None
        self._failed: set[int] = set()
        """Messages of the current batch failed on their own (by ``id``)."""

    def _broker(self) -> AmqpBroker:
        return self.ctx.connection(self.config.connection, AmqpBroker)

    async def _connected(self) -> AmqpClient:
        async with self._lock:
            client = self._client
            if client is not None and client.is_open:
                return client
            self._client = None
            if client is not None:
                await client.close()
            broker = self._broker()
            client = await broker.client(self.id, on_lost=self._lost)
            try:
                await client.enable_confirms()
                if self.config.exchange:
                    await self._check_exchange(client, broker)
            except BaseException:
                await client.close()
                raise
            client.on_blocked = self._blocked
            self._client = client
            self.ctx.status("green", "dot", "connected")
            return client

    async def _check_exchange(self, client: AmqpClient, broker: AmqpBroker) -> None:
        cfg = self.config
        try:
            await client.rpc(
                "exchange_declare", exchange=cfg.exchange, exchange_type=cfg.exchange_type,
                passive=not cfg.declare, durable=True,
            )
        except ChannelRefused as exc:
            raise refusal(exc, "exchange", cfg.exchange, broker.vhost, broker.server) from exc

    def _lost(self, error: NodeError) -> None:
        self.ctx.status("red", "ring", "disconnected")

    def _blocked(self, blocked: bool) -> None:
        if blocked:
            self.ctx.status("yellow", "ring", "blocked by the broker (resource alarm)")
        else:
            self.ctx.status("green", "dot", "connected")

    # writing -----------------------------------------------------------------------------

    async def write(self, batch: list[Message]) -> None:
        if batch is not self._batch:  # a new batch; the same list again is a retry
            self._batch, self._failed = batch, set()
        prepared: list[tuple[Message, Prepared]] = []
        for msg in batch:
            if id(msg) in self._failed:
                continue  # failed on its own in an earlier attempt: not published again
            try:
                prepared.append((msg, self._prepare(msg)))
            except ConfigError as exc:
                self._fail(msg, exc)
        if not prepared:
            return
        client = await self._connected()
        import pika

        exchange = self.config.exchange
        mandatory = self.config.mandatory
        client.returned.clear()
        confirms = [
            client.publish(exchange, key, body, pika.BasicProperties(**props), mandatory)
            for _, (key, body, props) in prepared
        ]
        try:
            accepted = await asyncio.gather(*confirms)
        except ChannelRefused as exc:
            broker = self._broker()
            raise refusal(exc, "exchange", exchange or "(default)", broker.vhost,
                          broker.server) from exc
        returned = _match_returns(prepared, client.returned)
        client.returned.clear()
        for (msg, _), ok in zip(prepared, accepted, strict=True):
            if not ok:
                self._fail(msg, NodeError(
                    "the broker refused the message (basic.nack: a queue over its length "
                    "limit with `x-overflow: reject-publish`, or a broker error)"))
            elif id(msg) in returned:
                _, key, _, code, text, _ = returned[id(msg)]
                where = f"exchange '{exchange}'" if exchange else "the default exchange"
                self._fail(msg, NodeError(
                    f"no queue is bound for the message ({where}, routing key '{key}': "
                    f"{code} {text}): bind a queue for that routing key, or set "
                    "`mandatory: false` to let the broker drop such messages"))

    def _fail(self, msg: Message, error: NodeError) -> None:
        """Fail one message of the batch (catch nodes get it, its source is nacked); the
        others are written."""
        self._failed.add(id(msg))
        self.ctx.error(error, msg)

    def _prepare(self, msg: Message) -> Prepared:
        cfg = self.config
        key = cfg.routing_key if cfg.routing_key is not None else msg.get("topic")
        if key is None or (key == "" and not cfg.exchange):
            raise ConfigError(
                "no routing key for the message: set the node's `routing_key`, or `msg.topic`"
                + (" (the default exchange routes by it to the queue of that name)"
                   if not cfg.exchange else "")
            )
        body, implied = encode_payload(msg.get("payload"))
        try:
            props = outgoing_properties(msg, implied, cfg.persistent)
        except PayloadError as exc:
            raise ConfigError(f"cannot publish the message: {exc}") from exc
        traceparent = self.ctx.traceparent(msg)
        if traceparent is not None:  # tracing on: the consumer continues the trace
            props["headers"] = {**props.get("headers", {}), "traceparent": traceparent}
        return str(key), body, props

    async def flush(self) -> None:
        """Nothing to do: ``write`` returns only once the broker confirmed its batch."""

    async def stop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()


def _match_returns(
    published: list[tuple[Message, Prepared]], returned: list[Returned]
) -> dict[int, Returned]:
    """Which published messages (by ``id``) the broker returned as unroutable. A return
    carries no delivery tag, but returns come in publishing order: each goes to the first
    message not yet matched with the same routing key, body, headers and message id."""
    found: dict[int, Returned] = {}
    for back in returned:
        _, key, body, _, _, props = back
        for msg, (sent_key, sent_body, sent_props) in published:
            if (
                id(msg) not in found and sent_key == key and sent_body == body
                and (getattr(props, "headers", None) or None) == sent_props.get("headers")
                and getattr(props, "message_id", None) == sent_props.get("message_id")
            ):
                found[id(msg)] = back
                break
    return found
