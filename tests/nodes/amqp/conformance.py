"""The AMQP pack in the conformance suite: amqp-in and amqp-out against RabbitMQ.

Each stream KEY has two durable queues: KEY, which amqp-in consumes (the backend publishes to
it through the default exchange), and KEY.out, to which amqp-out publishes (default exchange,
``routing_key: KEY.out``, ``mandatory: true``). Messages are persistent, so both survive the
broker restart of the reconnect tests, as they would in production.

Message i has the JSON payload ``{key, i}``, the header ``i``, the message id ``KEY-i`` and the
correlation id ``c-i``; ``received_index`` and ``stored`` check all of them. ``stored`` takes
what has arrived on KEY.out (acknowledging it) and remembers it, so repeated calls return
everything the sink committed, duplicates included. ``pending`` is KEY's depth: messages ready
for the source (unacknowledged ones come back there when their consumer goes).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit

import pika


def _out(key: str) -> str:
    return f"{key}.out"


class AmqpBackend:
    name = "amqp"
    server = "amqp"
    source_type = "amqp-in"
    sink_type = "amqp-out"

    def __init__(self) -> None:
        self.collected: dict[str, list[int]] = {}

    def connection(self, url: str, key: str) -> dict[str, Any]:
        parts = urlsplit(url)
        return {
            "type": "amqp-broker",
            "url": f"amqp://{parts.hostname}:{parts.port or 5672}/",
            "username": parts.username or "guest",
            "password": "${FLOWRT_AMQP_PASSWORD}",
            "connection_name": f"flowrt-conformance-{key}",
        }

    def env(self, url: str) -> dict[str, str]:
        return {"FLOWRT_AMQP_PASSWORD": urlsplit(url).password or "guest"}

    def _channel_work(self, url: str, work: Any) -> Any:
        conn = pika.BlockingConnection(pika.URLParameters(url))
        try:
            return work(conn.channel())
        finally:
            conn.close()

    async def _run(self, url: str, work: Any) -> Any:
        return await asyncio.to_thread(self._channel_work, url, work)

    async def prepare(self, url: str, key: str) -> None:
        def work(ch: Any) -> None:
            ch.queue_declare(key, durable=True)
            ch.queue_declare(_out(key), durable=True)

        await self._run(url, work)

    def source_config(self, key: str) -> dict[str, Any]:
        return {"queue": key, "prefetch": 100}

    def sink_config(self, key: str) -> dict[str, Any]:
        return {"exchange": "", "routing_key": _out(key), "mandatory": True}

    def message(self, key: str, i: int) -> dict[str, Any]:
        return {
            "payload": {"key": key, "i": i},
            "headers": {"i": i},
            "amqp": {"properties": {"message_id": f"{key}-{i}", "correlation_id": f"c-{i}"}},
        }

    async def publish(self, url: str, key: str, indexes: range) -> None:
        def work(ch: Any) -> None:
            ch.confirm_delivery()
            for i in indexes:
                props = pika.BasicProperties(
                    content_type="application/json", delivery_mode=2, headers={"i": i},
                    message_id=f"{key}-{i}", correlation_id=f"c-{i}",
                )
                body = json.dumps({"key": key, "i": i}).encode()
                ch.basic_publish("", key, body, props, mandatory=True)

        await self._run(url, work)

    def received_index(self, key: str, msg: dict[str, Any]) -> int:
        payload = msg["payload"]
        assert isinstance(payload, dict) and payload["key"] == key, msg
        i = payload["i"]
        assert msg["topic"] == key, msg
        amqp = msg["amqp"]
        assert (amqp["exchange"], amqp["routing_key"]) == ("", key), msg
        props = amqp["properties"]
        assert props["headers"] == {"i": i}, msg
        assert (props["message_id"], props["correlation_id"]) == (f"{key}-{i}", f"c-{i}"), msg
        assert (props["content_type"], props["delivery_mode"]) == ("application/json", 2), msg
        return int(i)

    async def watch(self, url: str, key: str) -> None:
        return None

    async def stored(self, url: str, key: str) -> list[int]:
        def work(ch: Any) -> list[int]:
            found: list[int] = []
            while True:
                method, props, body = ch.basic_get(_out(key), auto_ack=True)
                if method is None:
                    return found
                data = json.loads(body)
                assert data["key"] == key, data
                i = data["i"]
                assert (method.exchange, method.routing_key) == ("", _out(key)), method
                assert props.headers == {"i": i}, props
                assert (props.message_id, props.correlation_id) == (f"{key}-{i}", f"c-{i}")
                assert (props.content_type, props.delivery_mode) == ("application/json", 2)
                found.append(int(i))

        taken = await self._run(url, work)
        self.collected.setdefault(key, []).extend(taken)
        return list(self.collected[key])

    async def pending(self, url: str, key: str) -> int | None:
        count = await self._run(
            url, lambda ch: ch.queue_declare(key, passive=True).method.message_count)
        return int(count)

    async def cleanup(self, url: str, key: str) -> None:
        self.collected.pop(key, None)

        def work(ch: Any) -> None:
            ch.queue_delete(key)
            ch.queue_delete(_out(key))

        try:
            await self._run(url, work)
        except pika.exceptions.AMQPConnectionError:
            pass  # a private broker already stopped: its queues went with it


BACKENDS = [AmqpBackend()]
