"""At-least-once and at-most-once end to end, on real RabbitMQ, PostgreSQL and InfluxDB: a
message is acknowledged only once every branch committed or dropped it, a failure nacks it (to
the dead-letter queue after `max_redeliveries`), and `guarantee: at-most-once` acknowledges it
as it is read. The broker's own state (queue depth, prefetch) says what was acknowledged."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.registry import Registry
from flowrt.registry.discover import default_registry
from flowrt.registry.spec import spec_for
from flowrt.testing import run_flow
from tests.run.conftest import PACK, SETTLED, WRITTEN, Numbers
from tests.run.guarantee_kit import (
    Database,
    Rabbit,
    eventually,
    flow,
    influx_count,
    is_now,
    jobs,
    running,
)
from tests.support.servers import PrivateServer, free_port


def amqp_in(queue: str, to: Any, **options: Any) -> dict[str, Any]:
    return {"type": "amqp-in", "connection": "rabbit", "queue": queue, "to": to, **options}


def pg_out(table: str, **options: Any) -> dict[str, Any]:
    return {"type": "postgres-out", "connection": "db", "table": table, "batch_interval": 0,
            "columns": {"id": "payload.id", "v": "payload.v"}, **options}


ROWS = "id integer PRIMARY KEY, v double precision"


@pytest.fixture
def influx() -> Iterator[PrivateServer]:
    """A private InfluxDB 1.x with a database `jobs`, stopped (the test starts it again)."""
    from tests.nodes.influx.influx_kit import influxql

    server = PrivateServer("influx")
    try:
        server.start()
        influxql(server.url, 'CREATE DATABASE "jobs"')
        server.stop()
        yield server
    finally:
        server.close()


def test_a_message_is_acknowledged_only_once_every_branch_committed(
    rabbit: Rabbit, db: Database, influx: PrivateServer
) -> None:
    queue, relayed = rabbit.name(), rabbit.name("relayed")
    table = db.table(ROWS)

    async def scenario() -> dict[str, Any]:
        await rabbit.declare(queue, durable=True)
        await rabbit.declare(relayed, durable=True)
        text = flow(rabbit, {
            "jobs": amqp_in(queue, ["store", "points", "relay"], prefetch=3),
            "store": pg_out(table, mode="upsert", conflict=["id"]),
            "points": {"type": "influx-out", "connection": "tsdb", "measurement": "m",
                       "tags": {"job": {"type": "msg", "value": "payload.id"}},
                       "batch_interval": 0},
            "relay": {"type": "amqp-out", "connection": "rabbit", "routing_key": relayed},
        }, influx=(influx.url, "jobs"))
        seen: dict[str, Any] = {}
        async with running(text, rabbit) as h:
            await rabbit.publish(queue, jobs(range(4)))
            # PostgreSQL and the relay committed the first three; InfluxDB is down
            await eventually(is_now(lambda: len(db.rows(f"SELECT id FROM {table}")), 3), "3 rows")
            await eventually(is_now(lambda: rabbit.depth(relayed), 3), "3 relayed")
            await asyncio.sleep(1.0)  # time enough for an acknowledgement to let the 4th in
            seen["waiting"] = await rabbit.depth(queue)  # prefetch 3: none of the 3 acknowledged
            seen["rows while down"] = len(db.rows(f"SELECT id FROM {table}"))
            await asyncio.to_thread(influx.start)
            await eventually(lambda: influx_count(influx.url, "jobs", "m") == 4, "4 points", 120)
            await eventually(is_now(lambda: rabbit.depth(queue), 0), "the 4th taken")
            await h.runtime.stop(timeout=10)
            seen["left"] = await rabbit.depth(queue)  # acknowledged: nothing comes back
            seen["rows"] = sorted(r[0] for r in db.rows(f"SELECT id FROM {table}"))
            seen["relayed"] = sorted(json.loads(m.body)["id"] for m in await rabbit.take(relayed))
        return seen

    seen = asyncio.run(scenario())
    assert (seen["waiting"], seen["rows while down"]) == (1, 3)
    assert (seen["left"], seen["rows"], seen["relayed"]) == (0, [0, 1, 2, 3], [0, 1, 2, 3])


def test_a_message_a_switch_or_filter_drops_is_acknowledged(rabbit: Rabbit, db: Database) -> None:
    queue = rabbit.name()
    table = db.table(ROWS)

    async def scenario() -> tuple[list[Any], int]:
        await rabbit.declare(queue, durable=True)
        text = flow(rabbit, {
            # prefetch 1: the next message comes only once the one before was acknowledged
            "jobs": amqp_in(queue, "route", prefetch=1),
            "route": {"type": "switch", "property": "payload.kind", "rules": [{"eq": "keep"}],
                      "to": "changed"},
            "changed": {"type": "filter", "property": "payload.v", "group_by": None,
                        "to": "store"},
            "store": pg_out(table),
        })
        async with running(text, rabbit) as h:
            repeated = json.dumps({"id": 7, "v": 1.5, "kind": "keep"}).encode()
            bodies = jobs([1], kind="keep") + jobs(range(2, 7), kind="other") + [repeated] \
                + jobs([8], kind="keep")
            await rabbit.publish(queue, bodies)
            await eventually(is_now(lambda: len(db.rows(f"SELECT id FROM {table}")), 2), "2 rows")
            await eventually(is_now(lambda: rabbit.depth(queue), 0), "every message taken")
            await h.runtime.stop(timeout=10)
        return sorted(db.rows(f"SELECT id FROM {table}")), await rabbit.depth(queue)

    rows, left = asyncio.run(scenario())
    # 2..6 matched no rule, 7 repeated the last value: all acknowledged, or 8 never came
    assert (rows, left) == ([(1,), (8,)], 0)


def test_a_row_the_database_refuses_is_nacked_then_dead_lettered_after_max_redeliveries(
    rabbit: Rabbit, db: Database
) -> None:
    queue, dead = rabbit.name(), rabbit.name("dead")
    table = db.table(ROWS + " CHECK (v >= 0)")

    async def scenario() -> tuple[list[Any], list[int], int, int]:
        await rabbit.declare(dead, durable=True)
        text = flow(rabbit, {
            "jobs": amqp_in(queue, "store", declare=True, on_error="requeue",
                            max_redeliveries=2, arguments={"x-dead-letter-exchange": "",
                                                           "x-dead-letter-routing-key": dead}),
            "store": pg_out(table),
        })
        async with running(text, rabbit) as h:
            await rabbit.publish(queue, [json.dumps({"id": 1, "v": -1}).encode()] + jobs([2]))
            await eventually(is_now(lambda: rabbit.depth(dead), 1), "the refused row dead-lettered")
            tries = sum(1 for m in h.result.received("store") if m["payload"]["id"] == 1)
            await h.runtime.stop(timeout=10)
            got = [json.loads(m.body)["id"] for m in await rabbit.take(dead)]
        return db.rows(f"SELECT id FROM {table}"), got, tries, await rabbit.depth(queue)

    rows, dead_lettered, tries, left = asyncio.run(scenario())
    assert (rows, dead_lettered, left) == ([(2,)], [1], 0)
    assert tries == 3  # delivered, then redelivered twice


@pytest.mark.parametrize("guarantee", ["at-most-once", "at-least-once"])
def test_at_most_once_acknowledges_as_it_reads_even_while_the_sink_is_down(
    rabbit: Rabbit, guarantee: str
) -> None:
    queue = rabbit.name()
    nowhere = f"http://127.0.0.1:{free_port()}"  # no InfluxDB there

    async def scenario() -> tuple[int, int]:
        await rabbit.declare(queue, durable=True)
        text = flow(rabbit, {
            "jobs": amqp_in(queue, "points", prefetch=2, guarantee=guarantee),
            "points": {"type": "influx-out", "connection": "tsdb", "measurement": "m"},
        }, influx=(nowhere, "jobs"))
        async with running(text, rabbit) as h:
            await rabbit.publish(queue, jobs(range(5)))
            taken = 5 if guarantee == "at-most-once" else 2
            await eventually(lambda: len(h.result.received("points")) == taken, f"{taken} taken")
            await eventually(is_now(lambda: rabbit.depth(queue), 5 - taken), "the rest waiting")
            await h.runtime.stop(timeout=1)
            await eventually(is_now(lambda: rabbit.consumers(queue), 0), "the consumer gone")
        return len(h.result.received("points")), await rabbit.depth(queue)

    received, left = asyncio.run(scenario())
    if guarantee == "at-most-once":
        assert (received, left) == (5, 0)  # acknowledged as read: given up with the sink
    else:
        assert (received, left) == (2, 5)  # none acknowledged: all back in the queue


# without servers: the engine's side of the guarantee -------------------------------------------

class Acked(Numbers):
    """Numbers whose server waits for each acknowledgement."""

    type = "acked"

    @classmethod
    def acknowledges(cls, config: Any) -> bool:
        return True


class Never(Numbers):
    """Numbers with acknowledgements that the server does not wait for (a timer)."""

    type = "never"


REGISTRY = Registry(spec_for(cls, "test") for cls in [*PACK, Acked, Never])


def _flow(source: str) -> str:
    return ("flowrt: 1\nnodes:\n"
            f"  src: {{{source}, count: 4, to: check}}\n"
            "  check: {type: boom, bad: 2, to: later}\n"
            "  later: {type: later, seconds: 5, to: out}\n"
            "  out: {type: collect}\n")


def test_at_most_once_settles_each_message_as_it_is_read_and_never_nacks() -> None:
    run_flow(_flow("type: acked, guarantee: at-most-once"), registry=REGISTRY)
    assert SETTLED["src"] == [("ack", 0), ("ack", 1), ("ack", 2), ("ack", 3)]
    assert WRITTEN["out"] == [0, 1, 3]


def test_at_least_once_settles_each_message_once_it_finished() -> None:
    run_flow(_flow("type: acked"), registry=REGISTRY)
    assert SETTLED["src"] == [("nack", 2), ("ack", 0), ("ack", 1), ("ack", 3)]


def test_the_plan_carries_each_sources_guarantee() -> None:
    text = _flow("type: acked, guarantee: at-most-once") \
        + "  plain: {type: acked, to: out}\n  tick: {type: never, guarantee: at-most-once}\n"
    plan, _ = build_plan(Project(documents=[load_text(text, "g.yaml")]), REGISTRY, env={})
    assert {n: p.guarantee for n, p in plan.nodes.items()} == {
        "src": "at-most-once", "plain": "at-least-once", "tick": None, "check": None,
        "later": None, "out": None}


@pytest.mark.parametrize(("qos", "expected"), [(0, None), (1, "at-least-once"), (2, None)])
def test_mqtt_in_is_at_least_once_at_qos_1(qos: int, expected: str | None) -> None:
    text = ("flowrt: 1\nconnections:\n  b: {type: mqtt-broker, url: 'mqtt://127.0.0.1:1883'}\n"
            f"nodes:\n  in: {{type: mqtt-in, connection: b, topic: a, qos: {qos}}}\n")
    plan, _ = build_plan(Project(documents=[load_text(text, "m.yaml")]), default_registry(),
                         env={})
    assert plan.nodes["in"].guarantee == expected



def test_a_changed_guarantee_restarts_its_flow_on_a_changed_deploy(tmp_path: Path) -> None:
    from flowrt.server.deploy import Engine
    from flowrt.server.events import Hub

    file = tmp_path / "g.yaml"

    async def scenario() -> tuple[bool, bool, str | None]:
        engine = Engine(tmp_path, REGISTRY, {}, Hub(), close_timeout=1.0)
        try:
            file.write_text(_flow("type: acked"))
            await engine.deploy("full")
            first = engine.find("src")
            await engine.deploy("changed")
            kept = engine.find("src") is first
            file.write_text(_flow("type: acked, guarantee: at-most-once"))
            await engine.deploy("changed")
            now = engine.find("src")
            assert now is not None
            return kept, now is not first, now.plan.nodes["src"].guarantee
        finally:
            await engine.stop()

    assert asyncio.run(scenario()) == (True, True, "at-most-once")
