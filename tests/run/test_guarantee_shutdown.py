"""Stopping and redeploying without losing or duplicating, on real RabbitMQ and PostgreSQL:
messages in flight at a stop finish within the deadline; those that cannot are left
unacknowledged and the broker redelivers them to the next runtime; and a sink keyed on a
message id (`mode: upsert` or `ignore`) keeps one row per message however often it comes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from flowrt.registry.discover import default_registry
from flowrt.server.deploy import Engine
from flowrt.server.events import Hub
from tests.run.guarantee_kit import (
    Database,
    Rabbit,
    eventually,
    flow,
    is_now,
    jobs,
    running,
)

ROWS = "id integer PRIMARY KEY, v double precision, redelivered boolean"
SLOW = "await sleep(0.5)\nreturn msg"
STUCK = "await sleep(60)\nreturn msg"
FAIL_FIRST = "if not msg['amqp']['redelivered']:\n    raise ValueError('first try')\nreturn msg"


def nodes(queue: str, table: str, code: str, **store: Any) -> dict[str, Any]:
    """amqp-in -> [store (postgres-out), work (a script)]: the row is committed whatever the
    script does, and the message is finished only once the script is too."""
    return {
        "jobs": {"type": "amqp-in", "connection": "rabbit", "queue": queue, "on_error": "requeue",
                 "to": ["store", "work"]},
        "store": {"type": "postgres-out", "connection": "db", "table": table,
                  "batch_interval": 0, **store,
                  "columns": {"id": "payload.id", "v": "payload.v",
                              "redelivered": "amqp.redelivered"}},
        "work": {"type": "script", "code": code, "timeout": 0},
    }


def count(db: Database, table: str) -> int:
    return len(db.rows(f"SELECT id FROM {table}"))


def test_messages_in_flight_at_a_stop_finish_within_the_deadline(
    rabbit: Rabbit, db: Database
) -> None:
    queue, table = rabbit.name(), db.table(ROWS)

    async def scenario() -> tuple[int, int, int]:
        await rabbit.declare(queue, durable=True)
        text = flow(rabbit, {**nodes(queue, table, SLOW), "jobs": {
            "type": "amqp-in", "connection": "rabbit", "queue": queue, "to": "work"},
            "work": {"type": "script", "code": SLOW, "timeout": 0, "to": "store"}})
        async with running(text, rabbit) as h:
            await rabbit.publish(queue, jobs(range(6)))
            await eventually(lambda: len(h.result.received("work")) == 6, "all six in flight")
            written_before = count(db, table)
            await h.runtime.stop(timeout=30)
        return written_before, count(db, table), await rabbit.depth(queue)

    before, after, left = asyncio.run(scenario())
    assert before < 6  # the stop began with messages still in the script
    assert (after, left) == (6, 0)  # each finished, was written and acknowledged


@pytest.mark.parametrize("mode", ["upsert", "ignore"])
@pytest.mark.parametrize("how", ["a failure after the commit", "a stop past the deadline"])
def test_redelivered_messages_keep_one_row_per_message(
    rabbit: Rabbit, db: Database, mode: str, how: str
) -> None:
    queue, table = rabbit.name(), db.table(ROWS)
    store = {"mode": mode, "conflict": ["id"]}

    async def scenario() -> tuple[list[Any], int, int]:
        await rabbit.declare(queue, durable=True)
        if how == "a failure after the commit":
            async with running(flow(rabbit, nodes(queue, table, FAIL_FIRST, **store)),
                               rabbit) as h:
                await rabbit.publish(queue, jobs(range(5)))
                await eventually(lambda: len(h.result.received("work")) == 10, "5 failed, 5 passed")
                await eventually(is_now(lambda: rabbit.depth(queue), 0), "nothing waiting")
                await h.runtime.stop(timeout=10)
                writes = len(h.result.received("store"))
        else:
            async with running(flow(rabbit, nodes(queue, table, STUCK, **store)), rabbit) as h:
                await rabbit.publish(queue, jobs(range(5)))
                await eventually(lambda: count(db, table) == 5, "5 rows committed")
                await eventually(
                    lambda: len(h.result.received("work")) == 5, "5 stuck in the script"
                )
                await h.runtime.stop(timeout=1)  # the script would take a minute
            await eventually(is_now(lambda: rabbit.depth(queue), 5), "the 5 back in the queue")
            async with running(flow(rabbit, nodes(queue, table, "return msg", **store)),
                               rabbit) as h:
                await eventually(lambda: len(h.result.received("work")) == 5, "5 redelivered")
                await eventually(is_now(lambda: rabbit.depth(queue), 0), "nothing waiting")
                await h.runtime.stop(timeout=10)
                assert all(m["amqp"]["redelivered"] for m in h.result.received("store"))
                writes = 5 + len(h.result.received("store"))
        rows = db.rows(f"SELECT id, redelivered FROM {table} ORDER BY id")
        return rows, writes, await rabbit.depth(queue)

    rows, writes, left = asyncio.run(scenario())
    assert writes == 10 and left == 0  # every message written twice, then acknowledged
    # one row per message: upsert keeps the last write, ignore the first
    assert rows == [(i, mode == "upsert") for i in range(5)]


def test_a_message_given_up_at_a_stop_goes_back_to_its_queue_not_to_the_dead_letters(
    rabbit: Rabbit, db: Database
) -> None:
    queue, dead, table = rabbit.name(), rabbit.name("dead"), db.table(ROWS)

    async def scenario() -> tuple[int, int]:
        await rabbit.declare(dead, durable=True)
        declared = nodes(queue, table, STUCK, mode="upsert", conflict=["id"])
        del declared["jobs"]  # declared last: the script's messages are given up before it stops
        text = flow(rabbit, {**declared, "jobs": {
            "type": "amqp-in", "connection": "rabbit", "queue": queue, "declare": True,
            "max_redeliveries": 1, "to": ["store", "work"],
            "arguments": {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead}}})
        for stop in range(2):  # a second stop: still no failure that counts
            async with running(text, rabbit) as h:
                if stop == 0:
                    await rabbit.publish(queue, jobs(range(3)))
                await eventually(lambda: len(h.result.received("work")) == 3, "3 in the script")
                await h.runtime.stop(timeout=1)
            await eventually(is_now(lambda: rabbit.depth(queue), 3), "the 3 back in the queue")
        return await rabbit.depth(queue), await rabbit.depth(dead)

    assert asyncio.run(scenario()) == (3, 0)


def test_a_redeploy_stops_the_old_flow_within_its_deadline_and_the_new_one_gets_the_rest(
    rabbit: Rabbit, db: Database, tmp_path: Path
) -> None:
    queue, table = rabbit.name(), db.table(ROWS)
    file = tmp_path / "jobs.json"
    store = {"mode": "upsert", "conflict": ["id"]}

    async def scenario() -> tuple[int, int, int, bool]:
        await rabbit.declare(queue, durable=True)
        file.write_text(flow(rabbit, nodes(queue, table, STUCK, **store)))
        engine = Engine(tmp_path, default_registry(), rabbit.env(), Hub(), close_timeout=1.0)
        try:
            await engine.deploy("full")
            old = engine.find("work")
            assert old is not None
            await rabbit.publish(queue, jobs(range(4)))
            await eventually(lambda: old.stats["work"][0] == 4, "4 stuck in the old flow")
            await eventually(lambda: count(db, table) == 4, "4 rows committed")
            file.write_text(flow(rabbit, nodes(queue, table, "return msg", **store)))
            await engine.deploy("changed")
            new = engine.find("work")
            assert new is not None
            await eventually(lambda: new.stats["work"][0] == 4, "the 4 redelivered to the new flow")
            await eventually(is_now(lambda: rabbit.depth(queue), 0), "nothing waiting")
        finally:
            await engine.stop()
        redelivered = db.rows(f"SELECT count(*) FROM {table} WHERE redelivered")[0][0]
        return count(db, table), new.stats["store"][0], redelivered, new is not old

    rows, written_again, redelivered, replaced = asyncio.run(scenario())
    assert replaced and (rows, written_again, redelivered) == (4, 4, 4)
    assert json.loads(file.read_text())["nodes"]["work"]["code"] == "return msg"
