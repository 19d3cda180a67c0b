"""A worker in front of a slow (or stalled) PostgreSQL sink: what it holds, and its memory.

While the sink is slow, the worker's resident memory (VmRSS) is sampled with what the broker
still holds and what reached the table. ``held`` is what the worker has taken from its source
and not yet committed: messages read (the broker's count, or the flow's own count) minus rows
in the table. It is read in that order, so rows written in between can only make it smaller:
it never overstates what the worker holds, and the acknowledgement window (AMQP ``prefetch``,
MQTT 5 ``receive_maximum``) bounds it, because a message is acknowledged only once its row is
committed.

**AMQP.** 20,000 messages of 8 KB in a durable queue, a table whose trigger sleeps 5 ms per
row, ``prefetch: 100``. Without back-pressure at the source the broker would push the whole
queue into the worker: 20,000 x 8 KB = 160 MB of bodies; with only the engine's own limit,
the sink's buffer of 10,000 messages would hold 80 MB of payloads. With the prefetch window
the worker holds at most 100 x 8 KB = 0.8 MB of payloads: its RSS growth must stay a small
fraction of the 80 MB (the tests allow 24 MB, for the client libraries' buffers and the
allocator), and the queue keeps every message not yet taken.

**MQTT.** 1,000 messages of 64 KB (Mosquitto queues at most 1,000 per session by default) on
a persistent session with a ``receive_maximum`` (10 by default); first the table is locked
(a stalled sink: a database that stopped answering writes), then slow (20 ms per row), then
fast. The worker holds at most the messages of its window: 10 x 64 KB = 640 KB of the 64 MB
the broker holds for it. With MQTT 5 the broker is told the window, but Mosquitto 2.0.11
overruns it once acknowledgements flow; with MQTT 3.1.1 it is not told at all (its own window
is 20, and it too is overrun): either way it is the connection that stops reading which keeps
the worker to its window.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from tests.faults.brokers import (
    create_session,
    delete_queue,
    drain_session,
    fill_queue,
    publish_mqtt,
    queue_depth,
)
from tests.faults.harness import Worker, tag, tally, wait_for, workers, write_flow
from tests.faults.pipelines import (
    ENV,
    WORK_COUNTED,
    amqp_source,
    mqtt_source,
    pipeline,
    postgres_sink,
)
from tests.faults.stores import Table
from tests.support.servers import url


@dataclass(frozen=True)
class Sample:
    at: float
    rss: int
    rows: int
    held: int
    ready: int | None = None


@dataclass
class SlowOutcome:
    bound: int
    """The acknowledgement window: prefetch, or receive maximum."""
    message_size: int
    messages: int
    samples: list[Sample]
    """While the sink is slow (AMQP) or stalled (MQTT)."""
    later: list[Sample] = field(default_factory=list)
    """MQTT: while the sink is slow once the stall ends."""
    lost: int = 0
    """Messages neither in the table nor back at the broker once the worker stopped."""
    duplicated: int = 0
    exit_code: int | None = None
    warnings: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rss_start(self) -> int:
        return self.samples[0].rss

    @property
    def rss_peak(self) -> int:
        return max(s.rss for s in self.samples)

    @property
    def rss_end(self) -> int:
        return self.samples[-1].rss

    @property
    def max_held(self) -> int:
        return max(s.held for s in self.samples)


def warnings(worker: Worker) -> list[dict[str, Any]]:
    return [r for r in worker.log() if r.get("level") == "warning"]


def observe(worker: Worker, seconds: float, probe: Callable[[], tuple[int, int, int | None]],
            every: float = 0.25) -> list[Sample]:
    """Sample ``probe() -> (held, rows, ready)`` and the worker's RSS for ``seconds``."""
    samples: list[Sample] = []
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        held, rows, ready = probe()
        samples.append(Sample(time.monotonic() - started, worker.rss(), rows, held, ready))
        if not worker.alive():
            raise AssertionError(f"worker {worker.name} exited under a slow sink\n{worker.tail()}")
        time.sleep(every)
    return samples


def slow_amqp(messages: int = 20_000, size: int = 8192, prefetch: int = 100,
              per_row: float = 0.005, seconds: float = 20.0) -> SlowOutcome:
    run = tag()
    amqp, pg = url("amqp"), url("pg")
    queue, table_name = f"flowrt-fault-slow-{run}", f"fault_slow_{run}"
    table = Table(pg, table_name).create(slow=per_row)
    directory = Path(tempfile.mkdtemp(prefix="flowrt-fault-slow-"))
    try:
        fill_queue(amqp, queue, range(messages), size)
        sink = postgres_sink(pg, table_name)
        sink[1]["batch_size"] = 100
        path = write_flow(directory, f"fault-slow-{run}",
                          pipeline(amqp_source(amqp, queue, prefetch), sink))

        def probe() -> tuple[int, int, int | None]:
            ready = queue_depth(amqp, queue)
            rows = table.count()
            return messages - ready - rows, rows, ready

        with workers(Worker(f"worker-{run}", [path], ENV)) as (worker,):
            worker.wait_running()
            wait_for(lambda: table.count() > 0, "the first rows", workers=[worker])
            samples = observe(worker, seconds, probe)
            exit_code = worker.stop()
        left = queue_depth(amqp, queue)
        seqs = [r.seq for r in table.rows()]
    finally:
        delete_queue(amqp, queue)
        table.drop()
        shutil.rmtree(directory, ignore_errors=True)
    # What the worker did not write went back to the queue: written + left = all of them.
    written = tally(range(messages), seqs)
    return SlowOutcome(
        bound=prefetch, message_size=size, messages=messages, samples=samples,
        lost=messages - left - (written.arrived - written.duplicated),
        duplicated=written.duplicated, exit_code=exit_code, warnings=warnings(worker),
        errors=worker.errors(),
    )


def slow_mqtt(protocol: str = "5", messages: int = 1_000, size: int = 65_536,
              receive_maximum: int = 10, stall: float = 6.0, slow: float = 6.0,
              per_row: float = 0.02) -> SlowOutcome:
    """``protocol``: ``5`` (the broker is told the receive maximum) or ``3.1.1`` (it is not:
    only the connection's own pause keeps the flow to it)."""
    mqtt5 = protocol == "5"
    run = tag()
    mqtt_url, pg = url("mqtt"), url("pg")
    topic, client_id, table_name = f"flowrt/fault/slow/{run}", f"flowrt-slow-{run}", \
        f"fault_slowm_{run}"
    table = Table(pg, table_name).create(slow=per_row)
    directory = Path(tempfile.mkdtemp(prefix="flowrt-fault-slow-"))
    seen_file = directory / "seen"
    seen_file.touch()
    try:
        create_session(mqtt_url, client_id, topic, mqtt5=mqtt5)
        publish_mqtt(mqtt_url, topic, range(messages), size)
        source = mqtt_source(mqtt_url, topic, client_id, receive_maximum, protocol=protocol)
        source[1]["journal"] = False  # what the connection's own window holds, unjournaled
        sink = postgres_sink(pg, table_name)
        sink[1]["batch_size"] = receive_maximum
        flow = pipeline(source, sink, work=WORK_COUNTED)
        path = write_flow(directory, f"fault-slowm-{run}", flow)

        def probe() -> tuple[int, int, int | None]:
            seen = seen_file.stat().st_size
            rows = table.count()
            return seen - rows, rows, None

        with psycopg.connect(pg, connect_timeout=10) as lock:
            lock.execute(sql.SQL("lock table {} in exclusive mode").format(
                sql.Identifier(table_name)))
            worker = Worker(f"worker-{run}", [path], {**ENV, "SEEN_FILE": str(seen_file)})
            with workers(worker):
                worker.wait_running()
                wait_for(lambda: seen_file.stat().st_size > 0, "the first messages",
                         workers=[worker])
                stalled = observe(worker, stall, probe)
                lock.commit()  # the sink writes again, slowly
                later = observe(worker, slow, probe)
                table.set_delay(0)
                wait_for(lambda: table.distinct() >= messages, f"all {messages} rows",
                         workers=[worker])
                exit_code = worker.stop()
        rows = table.rows()
        left = drain_session(mqtt_url, client_id, mqtt5=mqtt5)
    finally:
        table.drop()
        shutil.rmtree(directory, ignore_errors=True)
    written = tally(range(messages), [r.seq for r in rows] + left)
    return SlowOutcome(
        bound=receive_maximum, message_size=size, messages=messages, samples=stalled,
        later=later, lost=len(written.lost), duplicated=written.duplicated,
        exit_code=exit_code, warnings=warnings(worker),
        errors=worker.errors(),
    )
