"""What the delivery-guarantee tests share: the real RabbitMQ, PostgreSQL and InfluxDB, flows
that join them, and a runtime started and stopped by the test (on the real clock)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pika
import psycopg
import pytest

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.testing import Harness
from tests.nodes.amqp.rabbit import URL, Rabbit
from tests.nodes.influx.influx_kit import influxql
from tests.nodes.postgres.pg_testing import PG_URL, Database
from tests.support.waiting import eventually

__all__ = ["Database", "Rabbit", "flow", "influx_count", "is_now", "eventually", "jobs", "running"]


def open_rabbit() -> Iterator[Rabbit]:
    """The test broker, checked to answer; the queues a test named are deleted after it
    (a test module's `rabbit` fixture yields from this)."""
    try:
        pika.BlockingConnection(pika.URLParameters(URL)).close()
    except pika.exceptions.AMQPError as exc:
        pytest.fail(f"no RabbitMQ at FLOWRT_TEST_AMQP={URL}: {exc!r}; start it with "
                    "`.ci/services.sh ensure`")
    broker = Rabbit(URL)
    yield broker
    asyncio.run(broker.cleanup())


def open_database() -> Iterator[Database]:
    """The test PostgreSQL, checked to answer; the tables a test made are dropped after it."""
    try:
        with psycopg.connect(PG_URL, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL is not reachable at {PG_URL} ({exc}): start it with "
                    "`.ci/services.sh ensure` or set FLOWRT_TEST_POSTGRES")
    found = Database(PG_URL)
    yield found
    found.drop_all()


def flow(rabbit: Rabbit, nodes: dict[str, Any], influx: tuple[str, str] | None = None) -> str:
    """A flow file (JSON) with connections `rabbit`, `db` (PostgreSQL) and, given (url,
    database), `tsdb` (InfluxDB 1.x), and these nodes."""
    connections: dict[str, Any] = {
        "rabbit": rabbit.connection_entry(),
        "db": {"type": "postgres", "dsn": PG_URL},
    }
    if influx is not None:
        connections["tsdb"] = {"type": "influxdb", "version": 1, "url": influx[0],
                               "database": influx[1]}
    return json.dumps({"flowrt": 1, "connections": connections, "nodes": nodes})


@asynccontextmanager
async def running(text: str, rabbit: Rabbit) -> AsyncIterator[Harness]:
    """The flow running on the real clock. The test stops it (``harness.runtime.stop``) with
    the deadline it needs; one the test did not stop (a failure) is stopped at the end."""
    env = rabbit.env()
    plan, _ = build_plan(Project(documents=[load_text(text, "guarantees.yaml")]), None, env=env)
    harness = Harness(plan, env=env, virtual_time=False, timeout=60.0)
    await harness.start()
    readers = [n.id for n in plan.nodes.values() if n.type == "amqp-in"]

    def subscribed() -> bool:  # so a queue the flow declares exists before the test publishes
        green = {who for who, s in harness.result.statuses if s.get("fill") == "green"}
        return all(node in green for node in readers)

    try:
        await eventually(subscribed, "the amqp-in nodes to consume")
        yield harness
    finally:
        await harness.runtime.stop(timeout=1.0)  # nothing to do when the test stopped it


def jobs(ids: range | list[int], **extra: Any) -> list[bytes]:
    """Message bodies ``{"id": i, "v": i * 1.5, ...}``."""
    return [json.dumps({"id": i, "v": i * 1.5, **extra}).encode() for i in ids]


def is_now(probe: Callable[[], Any], expected: Any) -> Callable[[], Any]:
    """A check for :func:`eventually`: ``probe()`` (sync or a coroutine) equals ``expected``."""

    async def check() -> bool:
        value = probe()
        if asyncio.iscoroutine(value):
            value = await value
        return bool(value == expected)

    return check


def influx_count(base: str, database: str, measurement: str) -> int:
    """Points of a measurement on an InfluxDB 1.x server (0 while it does not answer)."""
    try:
        answer = influxql(base, f'SELECT count("v") FROM "{measurement}"', database)
    except Exception:
        return 0
    series = answer["results"][0].get("series") or [{"values": [[0, 0]]}]
    return int(series[0]["values"][0][1])
