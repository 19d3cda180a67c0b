"""Messages per second relayed by a flowrt flow from one RabbitMQ queue to another, against the
same relay written directly on pika, on the same machine in the same run.

    python benchmarks/bench_amqp.py [--url URL] [--messages 20000] [--repeat 3] [--json]

The flow is ``amqp-in (queue A, manual acknowledgement) -> amqp-out (default exchange, routing
key B, publisher confirms)``: each message is acknowledged on A only once its copy on B was
confirmed by the broker. Before each run, A is filled with N JSON messages (``{"i": n, ...}``,
about 60 bytes, with a header and a message id) and B is empty; the time runs from starting the
flow to B holding all N (its depth, polled every 20 ms) and A none. The flow runs on the engine
as ``flowrt run`` runs it (no test harness recording messages). Variants:

- ``durable``: durable queues, persistent messages (RabbitMQ writes them to disk): the usual
  set-up for a work queue;
- ``transient``: non-durable queues, ``persistent: false``;
- each with ``prefetch`` 100 (the default) and 1,000, and ``batch_size`` 100 (the default);
- ``pika relay``: the same work written directly on pika's ``AsyncioConnection`` (two
  connections, confirms, ack after confirm, no flowrt), the floor for any relay in Python.

The broker is FLOWRT_TEST_AMQP (default ``amqp://guest:guest@127.0.0.1:5672/``); each run uses
queues of its own, deleted after. Each figure is the median of ``--repeat`` runs.

Figures (2 shared cores, RabbitMQ 3.10 on 127.0.0.1, Python 3.11, pika 1.4, 20,000 messages,
median of 3, from two full runs; the machine is shared, so runs vary by 20 % or more):

========================================  ===============  ===============
relay                                     durable          transient
========================================  ===============  ===============
flowrt, prefetch 100 (the default)        7,300-9,000      11,200-11,800
flowrt, prefetch 1,000                    7,100-10,000     11,300-12,600
pika alone, prefetch 100                  9,300-9,400      11,500-13,500
flowrt / pika, prefetch 100               0.8-1.0x         0.9-1.0x
========================================  ===============  ===============

flowrt keeps up with the hand-written relay. Most of the time is pika framing and socket
writes: pika writes every frame with its own ``send`` (three per published message), so
amqp-in coalesces its acknowledgements (one ``basic.ack`` with ``multiple`` per turn of the event
loop for a run of finished messages), which took flowrt from 0.7x to about 0.9x of pika. What
remains is the sink's batch barrier: ``write`` waits for the confirms of a whole batch before the
next one starts, where the pika relay streams.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pika  # noqa: E402

from flowrt.compile import build_plan  # noqa: E402
from flowrt.load import Project, load_text  # noqa: E402
from flowrt.run import Runtime  # noqa: E402

URL = os.environ.get("FLOWRT_TEST_AMQP") or "amqp://guest:guest@127.0.0.1:5672/"
TIMEOUT = 600.0


def _blocking(url: str, work: Any) -> Any:
    conn = pika.BlockingConnection(pika.URLParameters(url))
    try:
        return work(conn.channel())
    finally:
        conn.close()


def fill(url: str, queues: tuple[str, str], count: int, durable: bool) -> None:
    """Declare both queues and put ``count`` messages on the first (no confirms: the depth is
    polled until the broker has them all, which is much faster for a large fill)."""

    def work(ch: Any) -> None:
        for queue in queues:
            ch.queue_declare(queue, durable=durable)
        for i in range(count):
            props = pika.BasicProperties(
                content_type="application/json", delivery_mode=2 if durable else 1,
                headers={"source": "bench"}, message_id=f"m{i}",
            )
            body = json.dumps({"i": i, "device": f"d{i % 50}", "t": i * 0.25}).encode()
            ch.basic_publish("", queues[0], body, props)

    _blocking(url, work)
    wait_depths(url, queues, (count, 0), 120.0)


def depths(url: str, queues: tuple[str, str]) -> tuple[int, int]:
    def work(ch: Any) -> tuple[int, int]:
        first = ch.queue_declare(queues[0], passive=True).method.message_count
        second = ch.queue_declare(queues[1], passive=True).method.message_count
        return int(first), int(second)

    result: tuple[int, int] = _blocking(url, work)
    return result


def wait_depths(url: str, queues: tuple[str, str], want: tuple[int, int], limit: float) -> None:
    deadline = time.monotonic() + limit
    while depths(url, queues) != want:
        if time.monotonic() > deadline:
            raise SystemExit(f"the queues {queues} never reached depths {want}")
        time.sleep(0.05)


def drop(url: str, queues: tuple[str, str]) -> None:
    def work(ch: Any) -> None:
        for queue in queues:
            ch.queue_delete(queue)

    _blocking(url, work)


async def finished(url: str, queues: tuple[str, str], count: int) -> float:
    """Wait until the second queue holds ``count`` and the first none; returns the time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + TIMEOUT
    while await asyncio.to_thread(depths, url, queues) != (0, count):
        if loop.time() > deadline:
            raise SystemExit(f"the relay did not finish within {TIMEOUT:.0f} s")
        await asyncio.sleep(0.02)
    return time.perf_counter()


def flow(url: str, queues: tuple[str, str], durable: bool, prefetch: int) -> str:
    parts = pika.URLParameters(url)
    return json.dumps({
        "flowrt": 1,
        "connections": {"rabbit": {
            "type": "amqp-broker", "url": f"amqp://{parts.host}:{parts.port}/",
            "vhost": parts.virtual_host, "username": parts.credentials.username,
            "password": "${BENCH_AMQP_PASSWORD}", "connection_name": "flowrt-bench",
        }},
        "nodes": {
            "in": {"type": "amqp-in", "connection": "rabbit", "queue": queues[0],
                   "prefetch": prefetch, "to": "out"},
            "out": {"type": "amqp-out", "connection": "rabbit", "routing_key": queues[1],
                    "persistent": durable, "buffer": 100_000},
        },
    })


async def run_flowrt(url: str, queues: tuple[str, str], count: int, durable: bool,
                     prefetch: int) -> float:
    env = {"BENCH_AMQP_PASSWORD": pika.URLParameters(url).credentials.password}
    plan, _ = build_plan(Project(documents=[load_text(flow(url, queues, durable, prefetch))]),
                         env=env)
    runtime = Runtime(plan, env=env)
    errors: list[Any] = []
    runtime.events.hooks.error.append(errors.append)
    started = time.perf_counter()
    await runtime.start()
    try:
        ended = await finished(url, queues, count)
    finally:
        await runtime.stop()
    if errors:
        raise SystemExit(f"the flow failed: {errors[0].message}")
    return count / (ended - started)


async def run_pika(url: str, queues: tuple[str, str], count: int, durable: bool,
                   prefetch: int) -> float:
    """The relay on pika alone: consume with manual ack, publish with confirms, ack each
    message once its copy is confirmed."""
    from pika.adapters.asyncio_connection import AsyncioConnection

    loop = asyncio.get_running_loop()

    async def channel() -> tuple[Any, Any]:
        ready: asyncio.Future[Any] = loop.create_future()
        conn = AsyncioConnection(
            pika.URLParameters(url), custom_ioloop=loop,
            on_open_callback=lambda c: c.channel(on_open_callback=ready.set_result),
            on_open_error_callback=lambda _c, exc: ready.set_exception(exc),
        )
        return conn, await ready

    started = time.perf_counter()
    (consumer_conn, consumer), (publisher_conn, publisher) = await channel(), await channel()
    waiting: dict[int, int] = {}
    published = 0
    props = pika.BasicProperties(delivery_mode=2 if durable else 1)

    def confirmed(frame: Any) -> None:
        tag, multiple = frame.method.delivery_tag, frame.method.multiple
        for seq in [s for s in waiting if s <= tag] if multiple else [tag]:
            consumer.basic_ack(waiting.pop(seq))

    def arrived(_ch: Any, method: Any, properties: Any, body: bytes) -> None:
        nonlocal published
        published += 1
        waiting[published] = method.delivery_tag
        publisher.basic_publish("", queues[1], body, pika.BasicProperties(
            content_type=properties.content_type, headers=properties.headers,
            message_id=properties.message_id, delivery_mode=props.delivery_mode))

    selected: asyncio.Future[Any] = loop.create_future()
    publisher.confirm_delivery(confirmed, callback=selected.set_result)
    await selected
    consumer.basic_qos(prefetch_count=prefetch)
    consumer.basic_consume(queues[0], arrived)
    try:
        ended = await finished(url, queues, count)
    finally:
        for conn in (consumer_conn, publisher_conn):
            conn.close()
        await asyncio.sleep(0.2)
    return count / (ended - started)


VARIANTS: list[tuple[str, Any, bool, int]] = [
    ("flowrt amqp-in -> amqp-out, durable, prefetch 100", run_flowrt, True, 100),
    ("flowrt amqp-in -> amqp-out, durable, prefetch 1000", run_flowrt, True, 1000),
    ("pika relay, durable, prefetch 100", run_pika, True, 100),
    ("flowrt amqp-in -> amqp-out, transient, prefetch 100", run_flowrt, False, 100),
    ("flowrt amqp-in -> amqp-out, transient, prefetch 1000", run_flowrt, False, 1000),
    ("pika relay, transient, prefetch 100", run_pika, False, 100),
]


def one_run(url: str, runner: Any, durable: bool, prefetch: int, count: int) -> float:
    tag = uuid.uuid4().hex[:10]
    queues = (f"flowrt-bench-{tag}-in", f"flowrt-bench-{tag}-out")
    try:
        fill(url, queues, count, durable)
        rate: float = asyncio.run(runner(url, queues, count, durable, prefetch))
        return rate
    finally:
        drop(url, queues)


def measure(
    url: str = URL, messages: int = 20_000, repeat: int = 3
) -> list[tuple[str, float, str]]:
    """(name, value, unit) for every variant, and flowrt's speed as a share of pika's."""
    results: list[tuple[str, float, str]] = []
    one_run(url, run_flowrt, False, 100, 1000)  # warm-up: imports, first connections
    for name, runner, durable, prefetch in VARIANTS:
        figures = [one_run(url, runner, durable, prefetch, messages) for _ in range(repeat)]
        results.append((name, statistics.median(figures), "msg/s"))
    by_name = dict((n, v) for n, v, _ in results)
    for kind in ("durable", "transient"):
        flowrt = by_name[f"flowrt amqp-in -> amqp-out, {kind}, prefetch 100"]
        results.append((f"flowrt / pika relay, {kind}, prefetch 100",
                        flowrt / by_name[f"pika relay, {kind}, prefetch 100"], "x"))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=URL)
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    results = measure(args.url, args.messages, args.repeat)
    if args.json:
        print(json.dumps([{"name": n, "value": v, "unit": u} for n, v, u in results]))
        return
    for name, value, unit in results:
        print(f"{name:56} {value:>10,.1f} {unit}")


if __name__ == "__main__":
    main()
