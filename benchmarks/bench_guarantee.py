"""What a delivery guarantee costs: messages per second at-least-once against at-most-once,
side by side in one run.

    python benchmarks/bench_guarantee.py [--url AMQP_URL] [--dsn PG_URL] [--messages 20000]
                                         [--engine 200000] [--json]

Two measures:

- ``amqp-in -> postgres-out``: RabbitMQ queue A is filled with N JSON messages (``{"id", "v"}``,
  durable, persistent); the flow ``amqp-in (prefetch 100) -> postgres-out (upsert on id, batches
  of 500)`` writes them into a table of its own. The time runs from starting the flow to the
  table holding N rows and A none. At-least-once acknowledges each message once its batch
  committed, so at most ``prefetch`` messages are unacknowledged and the broker waits on
  PostgreSQL; at-most-once acknowledges each as it is read, so the broker sends as fast as the
  flow's buffers take them (and a crash loses what they hold).
- ``engine``: the same acknowledgement paths with no server: a source of N messages, each with
  an acknowledgement that does nothing, through a fused transform into a sink that keeps
  nothing. It isolates the engine's own cost (counting branches, settling each message).

Ratios are at-most-once / at-least-once: how much faster giving up the guarantee is. The servers
are FLOWRT_TEST_AMQP and FLOWRT_TEST_POSTGRES (defaults on 127.0.0.1). One run of each; the
machine is shared, so figures move by 10-20 % between runs.

Figures (2 shared cores, RabbitMQ 3.10, PostgreSQL 15 with fsync on, Python 3.11, defaults):

==========================================================  ===============
amqp-in -> postgres-out, at-least-once, prefetch 100          about 470 msg/s
amqp-in -> postgres-out, at-least-once, prefetch 1,000     about 10,800 msg/s
amqp-in -> postgres-out, at-most-once                      about 10,900 msg/s
engine alone, at-least-once and at-most-once              about 150,000 msg/s
==========================================================  ===============

At-least-once costs nothing measurable once ``prefetch`` is at least the sink's ``batch_size``
(1.0x). With amqp-in's default ``prefetch: 100`` under postgres-out's default batches of 500, it
is 23x slower: the 100 unacknowledged messages are all the broker sends, so every batch waits
its full ``batch_interval`` (0.2 s) for messages that cannot come, and the flow moves 100
messages per 0.2 s. Raise ``prefetch`` to the sinks' ``batch_size`` (or lower their
``batch_interval``). The engine's own cost of tracking and settling each message is the same
for both guarantees.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pika  # noqa: E402
import psycopg  # noqa: E402

from flowrt.api import (  # noqa: E402
    EndOfInput,
    Message,
    NodeConfig,
    Sink,
    SinkConfig,
    Source,
    field,
)
from flowrt.compile import build_plan  # noqa: E402
from flowrt.load import Project, load_text  # noqa: E402
from flowrt.registry import Registry  # noqa: E402
from flowrt.registry.discover import default_registry  # noqa: E402
from flowrt.registry.spec import spec_for  # noqa: E402
from flowrt.run import Runtime  # noqa: E402

AMQP = os.environ.get("FLOWRT_TEST_AMQP") or "amqp://guest:guest@127.0.0.1:5672/"
PG = os.environ.get("FLOWRT_TEST_POSTGRES") or "postgresql://postgres@127.0.0.1:5432/test"
GUARANTEES = ("at-least-once", "at-most-once")
TIMEOUT = 600.0


# amqp-in -> postgres-out --------------------------------------------------------------------

def _channel(url: str, work: Any) -> Any:
    conn = pika.BlockingConnection(pika.URLParameters(url))
    try:
        return work(conn.channel())
    finally:
        conn.close()


def fill(url: str, queue: str, count: int) -> None:
    def work(ch: Any) -> None:
        ch.queue_declare(queue, durable=True)
        props = pika.BasicProperties(content_type="application/json", delivery_mode=2)
        for i in range(count):
            ch.basic_publish("", queue, json.dumps({"id": i, "v": i * 0.25}).encode(), props)

    _channel(url, work)
    while depth(url, queue) != count:
        time.sleep(0.05)


def depth(url: str, queue: str) -> int:
    return int(_channel(url, lambda ch: ch.queue_declare(queue, passive=True).method.message_count))


def rows(dsn: str, table: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        found = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(found[0]) if found else 0


def relay_flow(url: str, dsn: str, queue: str, table: str, guarantee: str, prefetch: int) -> str:
    parts = pika.URLParameters(url)
    return json.dumps({
        "flowrt": 1,
        "connections": {
            "rabbit": {"type": "amqp-broker", "url": f"amqp://{parts.host}:{parts.port}/",
                       "vhost": parts.virtual_host, "username": parts.credentials.username,
                       "password": "${BENCH_AMQP_PASSWORD}"},
            "db": {"type": "postgres", "dsn": dsn},
        },
        "nodes": {
            "in": {"type": "amqp-in", "connection": "rabbit", "queue": queue,
                   "prefetch": prefetch, "guarantee": guarantee, "to": "out"},
            "out": {"type": "postgres-out", "connection": "db", "table": table,
                    "mode": "upsert", "conflict": ["id"], "buffer": 1_000_000,
                    "columns": {"id": "payload.id", "v": "payload.v"}},
        },
    })


async def relay(url: str, dsn: str, count: int, guarantee: str, prefetch: int) -> float:
    tag = uuid.uuid4().hex[:10]
    queue, table = f"flowrt-bench-{tag}", f"bench_{tag}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (id integer PRIMARY KEY, v double precision)")
    try:
        await asyncio.to_thread(fill, url, queue, count)
        env = {"BENCH_AMQP_PASSWORD": pika.URLParameters(url).credentials.password}
        text = relay_flow(url, dsn, queue, table, guarantee, prefetch)
        plan, _ = build_plan(Project(documents=[load_text(text)]), env=env)
        runtime = Runtime(plan, env=env)
        started = time.perf_counter()
        await runtime.start()
        try:
            deadline = started + TIMEOUT
            while (await asyncio.to_thread(rows, dsn, table) < count
                   or await asyncio.to_thread(depth, url, queue) > 0):
                if time.perf_counter() > deadline:
                    raise SystemExit(f"{guarantee}: not finished within {TIMEOUT:.0f} s")
                await asyncio.sleep(0.02)
            ended = time.perf_counter()
        finally:
            await runtime.stop()
        return count / (ended - started)
    finally:
        _channel(url, lambda ch: ch.queue_delete(queue))
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f"DROP TABLE {table}")


# the engine alone ---------------------------------------------------------------------------

class NoAck:
    async def ack(self) -> None:
        return None

    async def nack(self, requeue: bool = True) -> None:
        return None


class Counted(Source):
    """Emits `count` messages, each with an acknowledgement the server waits for."""

    type = "counted"

    class Config(NodeConfig):
        count: int = field(description="How many.")

    @classmethod
    def acknowledges(cls, config: Any) -> bool:
        return True

    async def start(self) -> None:
        self.left = self.config.count

    async def read(self) -> tuple[Message, Any]:
        if self.left <= 0:
            raise EndOfInput("done")
        self.left -= 1
        return {"payload": self.left}, NoAck()


class Nowhere(Sink):
    """Takes batches and keeps nothing."""

    type = "nowhere"
    batch_size = 1000

    class Config(SinkConfig):
        pass

    async def write(self, batch: list[Message]) -> None:
        return None


async def engine(count: int, guarantee: str) -> float:
    registry = Registry([*default_registry(), spec_for(Counted, "bench"),
                         spec_for(Nowhere, "bench")])
    text = ("flowrt: 1\nnodes:\n"
            f"  src: {{type: counted, count: {count}, guarantee: {guarantee}, to: step}}\n"
            "  step: {type: change, rules: [{set: topic, to: t}], to: out}\n"
            "  out: {type: nowhere, buffer: 1000000}\n")
    plan, _ = build_plan(Project(documents=[load_text(text)]), registry, env={})
    runtime = Runtime(plan, env={})
    started = time.perf_counter()
    await runtime.start()
    await runtime.wait_idle()
    ended = time.perf_counter()
    await runtime.stop()
    return count / (ended - started)


RELAYS = (("at-least-once", 100), ("at-least-once", 1000), ("at-most-once", 100))
"""(guarantee, prefetch) of each amqp-in -> postgres-out run."""


def measure(url: str, dsn: str, messages: int, engine_messages: int) -> list[tuple[str, float]]:
    asyncio.run(engine(10_000, "at-least-once"))  # warm-up: imports, registry
    results: list[tuple[str, float]] = []
    relays = {r: asyncio.run(relay(url, dsn, messages, *r)) for r in RELAYS}
    fastest = relays[("at-most-once", 100)]
    for (guarantee, prefetch), rate in relays.items():
        results.append((f"amqp-in -> postgres-out, {guarantee}, prefetch {prefetch}", rate))
    for guarantee, prefetch in RELAYS[:2]:
        results.append((f"amqp-in -> postgres-out, at-most-once / {guarantee} prefetch "
                        f"{prefetch}", fastest / relays[(guarantee, prefetch)]))
    rates = {g: asyncio.run(engine(engine_messages, g)) for g in GUARANTEES}
    results += [(f"engine, {g}", rates[g]) for g in GUARANTEES]
    results.append(("engine, at-most-once / at-least-once",
                    rates["at-most-once"] / rates["at-least-once"]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=AMQP)
    parser.add_argument("--dsn", default=PG)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--engine", type=int, default=200_000, help="messages, engine alone")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    results = measure(args.url, args.dsn, args.messages, args.engine)
    if args.json:
        print(json.dumps([{"name": n, "value": v} for n, v in results]))
        return
    for name, value in results:
        unit = "x" if "/" in name else "msg/s"
        print(f"{name:66} {value:>12,.2f} {unit}")


if __name__ == "__main__":
    main()
