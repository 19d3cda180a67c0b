"""The real RabbitMQ the AMQP tests use (FLOWRT_TEST_AMQP), reached with pika directly, and a
flow running on the real clock against it.

Every test names its queues and exchanges with a uuid (:meth:`Rabbit.name`) and they are
deleted afterwards; a broker that does not answer fails the test, it is never skipped.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pika

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.testing import Harness
from tests.support.waiting import eventually

URL = os.environ.get("FLOWRT_TEST_AMQP") or "amqp://guest:guest@127.0.0.1:5672/"


@dataclass
class Got:
    """A message read back from a queue."""

    routing_key: str
    exchange: str
    properties: Any
    body: bytes
    redelivered: bool


class Rabbit:
    """pika's BlockingConnection on the test broker; every call runs in a thread."""

    def __init__(self, url: str = URL) -> None:
        self.url = url
        self.queues: list[str] = []
        self.exchanges: list[str] = []

    @property
    def server(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.hostname}:{parts.port or 5672}"

    def name(self, what: str = "q") -> str:
        """A name no other test uses; deleted at the end as a queue and as an exchange."""
        name = f"flowrt-test-{what}-{uuid.uuid4().hex[:12]}"
        self.queues.append(name)
        self.exchanges.append(name)
        return name

    def connection_entry(self, **extra: Any) -> dict[str, Any]:
        """The flow's `connections:` entry for this broker (the password as ${AMQP_PASSWORD})."""
        parts = urlsplit(self.url)
        url = f"amqp://{parts.hostname}:{parts.port or 5672}{parts.path or '/'}"
        return {"type": "amqp-broker", "url": url, "username": parts.username or "guest",
                "password": "${AMQP_PASSWORD}", **extra}

    def env(self) -> dict[str, str]:
        return {"AMQP_PASSWORD": urlsplit(self.url).password or "guest"}

    def _run(self, work: Callable[[Any], Any]) -> Any:
        conn = pika.BlockingConnection(pika.URLParameters(self.url))
        try:
            return work(conn.channel())
        finally:
            conn.close()

    async def call(self, work: Callable[[Any], Any]) -> Any:
        return await asyncio.to_thread(self._run, work)

    async def declare(self, queue: str, **kwargs: Any) -> None:
        await self.call(lambda ch: ch.queue_declare(queue, **kwargs))

    async def publish(
        self,
        routing_key: str,
        bodies: Iterable[bytes],
        exchange: str = "",
        properties: Callable[[int], pika.BasicProperties] | None = None,
    ) -> None:
        """Publish with confirms: returns once the broker has every message."""
        items = list(bodies)

        def work(ch: Any) -> None:
            ch.confirm_delivery()
            for i, body in enumerate(items):
                props = properties(i) if properties else pika.BasicProperties(delivery_mode=2)
                ch.basic_publish(exchange, routing_key, body, props, mandatory=True)

        await self.call(work)

    async def depth(self, queue: str) -> int:
        """Messages ready in the queue (not those delivered and unacknowledged)."""
        return int(await self.call(
            lambda ch: ch.queue_declare(queue, passive=True).method.message_count))

    async def consumers(self, queue: str) -> int:
        return int(await self.call(
            lambda ch: ch.queue_declare(queue, passive=True).method.consumer_count))

    async def exists(self, queue: str) -> bool:
        def work(ch: Any) -> bool:
            try:
                ch.queue_declare(queue, passive=True)
            except pika.exceptions.ChannelClosedByBroker:
                return False
            return True

        return bool(await self.call(work))

    async def take(self, queue: str) -> list[Got]:
        """Every message in the queue, acknowledged (the queue is left empty)."""

        def work(ch: Any) -> list[Got]:
            got: list[Got] = []
            while True:
                method, props, body = ch.basic_get(queue, auto_ack=True)
                if method is None:
                    return got
                got.append(Got(method.routing_key, method.exchange, props, body,
                               method.redelivered))

        return list(await self.call(work))

    async def cleanup(self) -> None:
        def work(conn: Any) -> None:
            for queue in self.queues:
                ch = conn.channel()
                try:
                    ch.queue_delete(queue)
                    ch.close()
                except pika.exceptions.ChannelClosedByBroker:
                    pass
            for exchange in self.exchanges:
                ch = conn.channel()
                try:
                    ch.exchange_delete(exchange)
                    ch.close()
                except pika.exceptions.ChannelClosedByBroker:
                    pass

        def run() -> None:
            conn = pika.BlockingConnection(pika.URLParameters(self.url))
            try:
                work(conn)
            finally:
                conn.close()

        await asyncio.to_thread(run)


def flow_text(rabbit: Rabbit, nodes: dict[str, Any], **connection: Any) -> str:
    """A flow file (as JSON, which is YAML) with one `rabbit` connection and these nodes."""
    import json

    return json.dumps({
        "flowrt": 1,
        "connections": {"rabbit": rabbit.connection_entry(**connection)},
        "nodes": nodes,
    })


@asynccontextmanager
async def running(
    flow: str, env: dict[str, str], *, timeout: float = 30.0, stop_timeout: float = 5.0
) -> AsyncIterator[Harness]:
    """The flow running on the real clock; stopped (gracefully, within ``stop_timeout``) at
    the end of the block."""
    plan, _ = build_plan(Project(documents=[load_text(flow, "amqp-test.yaml")]), None, env=env)
    harness = Harness(plan, env=env, virtual_time=False, timeout=timeout)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.runtime.stop(timeout=stop_timeout)


def last_status(h: Harness, node: str) -> str:
    texts = [status.get("text", "") for who, status in h.result.statuses if who == node]
    return texts[-1] if texts else ""


async def connected(h: Harness, *nodes: str) -> None:
    """Wait until each of ``nodes`` shows "connected" (queues it declares now exist)."""
    await eventually(lambda: all(last_status(h, n) == "connected" for n in nodes),
                     f"{', '.join(nodes)} to connect")
