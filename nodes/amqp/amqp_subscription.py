"""What amqp-in sets up on each connect: the exchange, the queue, its bindings, the prefetch
bound and the consumer; the broker's refusals become errors that say what to change."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .amqp_errors import ChannelRefused, refusal

if TYPE_CHECKING:
    from .amqp_broker import AmqpBroker
    from .amqp_client import AmqpClient
    from .amqp_in import AmqpIn


async def subscribe(
    client: AmqpClient,
    cfg: AmqpIn.Config,
    broker: AmqpBroker,
    on_message: Callable[[Any, Any, Any, bytes], None],
) -> tuple[str, str]:
    """Declare (or check) the exchange and queue, bind, set the prefetch and start consuming;
    returns the queue's name (the broker's, for a private queue) and the consumer tag."""
    where = (broker.vhost, broker.server)
    if cfg.exchange:
        try:
            await client.rpc(
                "exchange_declare", exchange=cfg.exchange, exchange_type=cfg.exchange_type,
                passive=not cfg.declare, durable=True,
            )
        except ChannelRefused as exc:
            raise refusal(exc, "exchange", cfg.exchange, *where) from exc
    try:
        if cfg.queue is None:
            declared = await client.rpc(
                "queue_declare", queue="", exclusive=True, auto_delete=True,
                arguments=cfg.arguments or None,
            )
        elif cfg.declare:
            declared = await client.rpc(
                "queue_declare", queue=cfg.queue, durable=cfg.durable,
                exclusive=cfg.exclusive, auto_delete=cfg.auto_delete,
                arguments=cfg.arguments or None,
            )
        else:
            declared = await client.rpc("queue_declare", queue=cfg.queue, passive=True)
    except ChannelRefused as exc:
        raise refusal(exc, "queue", cfg.queue or "(server-named)", *where) from exc
    queue: str = declared.queue
    if cfg.exchange:
        for key in cfg.binding_keys or [""]:
            try:
                await client.rpc(
                    "queue_bind", queue=queue, exchange=cfg.exchange, routing_key=key,
                    arguments=cfg.binding_arguments or None,
                )
            except ChannelRefused as exc:
                raise refusal(exc, "exchange", cfg.exchange, *where) from exc
    await client.rpc("basic_qos", prefetch_count=cfg.prefetch)
    try:
        tag = await client.consume(queue, on_message)
    except ChannelRefused as exc:
        raise refusal(exc, "queue", queue, *where) from exc
    return queue, tag
