"""Restart one server in the middle of a stream that a real worker process carries.

The server restarted is a private one (:class:`servers.PrivateServer`, on a port of its own,
keeping its data across the restart as a real server does); the other end of the flow is the
shared server. One worker runs ``source -> work -> pace -> store``, paced so the stream lasts
some seconds; part of the messages is published before the restart, the rest after it:

=========  ===========================  ========================================
restarted  flow                         node that must show the loss and return
=========  ===========================  ========================================
amqp       amqp-in -> postgres-out      ``source``
mqtt       mqtt-in (QoS 1) -> pg-out    ``source``
pg         amqp-in -> postgres-out      ``store``
influx     amqp-in -> influx-out        ``store``
=========  ===========================  ========================================

The MQTT source uses QoS 1 with a persistent session under a fixed client id, created before
the worker starts, so the broker queues for it from the first message. Mosquitto queues at
most 1,000 messages per session by default and drops the rest, so the MQTT stream stays
below that (600 before the restart, 400 after).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.faults.brokers import (
    create_session,
    delete_queue,
    publish_amqp,
    publish_mqtt,
    queue_depth,
)
from tests.faults.harness import (
    Tally,
    Worker,
    reconnection,
    tag,
    tally,
    wait_for,
    workers,
    write_flow,
)
from tests.faults.pipelines import (
    ENV,
    WORK_INFLUX,
    amqp_source,
    influx_sink,
    mqtt_source,
    pipeline,
    postgres_sink,
)
from tests.faults.stores import Measurement, Table, check_content
from tests.support.servers import PrivateServer, url

KINDS = ("amqp", "mqtt", "pg", "influx")
WATCHED = {"amqp": "source", "mqtt": "source", "pg": "store", "influx": "store"}
BEFORE, AFTER = {"mqtt": (600, 400)}, (1_000, 1_000)
RATE = 200.0


@dataclass
class RestartOutcome:
    kind: str
    tally: Tally
    done_at_restart: int
    """Messages in the store when the restart began (fewer than all: mid-stream)."""
    node: str
    reconnection: tuple[dict[str, Any], dict[str, Any]] | None
    """The worker's log records of the node losing its server, then reconnecting."""
    bad_content: int
    exit_code: int | None
    errors: list[dict[str, Any]]
    depth_at_end: int | None


def _safely(count: Callable[[], int]) -> Callable[[], int]:
    """A count that is -1 while the server holding it restarts."""

    def probe() -> int:
        try:
            return count()
        except Exception:
            return -1

    return probe


def restart_server(kind: str) -> RestartOutcome:
    run = tag()
    before, after = BEFORE.get(kind, AFTER)
    total = before + after
    server = PrivateServer(kind)
    server.start()
    directory = Path(tempfile.mkdtemp(prefix=f"flowrt-fault-restart-{kind}-"))
    amqp = server.url if kind == "amqp" else url("amqp")
    pg = server.url if kind == "pg" else url("pg")
    queue, table_name = f"flowrt-fault-{kind}-{run}", f"fault_{kind}_{run}"
    topic, client_id = f"flowrt/fault/{run}", f"flowrt-fault-{run}"
    table: Table | None = None
    measurement: Measurement | None = None
    try:
        if kind == "influx":
            measurement = Measurement(server.url, f"fault_{run}", "points").create()
            sink = influx_sink(server.url, measurement.database, measurement.name)
            count = _safely(measurement.count)
        else:
            table = Table(pg, table_name).create()
            sink = postgres_sink(pg, table_name)
            count = _safely(table.distinct)
        if kind == "mqtt":
            create_session(server.url, client_id, topic)
            source = mqtt_source(server.url, topic, client_id)

            def publish(seqs: range) -> None:
                publish_mqtt(server.url, topic, seqs)
        else:
            source = amqp_source(amqp, queue, 100)

            def publish(seqs: range) -> None:
                publish_amqp(amqp, queue, seqs)

        work = WORK_INFLUX if kind == "influx" else None
        flow = pipeline(source, sink, rate=RATE, **({"work": work} if work else {}))
        path = write_flow(directory, f"fault-{kind}-{run}", flow)
        publish(range(before))
        with workers(Worker(f"worker-{run}", [path], ENV)) as (worker,):
            worker.wait_running()
            done_at_restart = wait_for(
                lambda: (n if (n := count()) >= before // 4 else 0),
                f"{before // 4} messages stored before the restart", workers=[worker],
            )
            server.restart()
            publish(range(before, total))
            wait_for(lambda: count() >= total, f"all {total} messages stored",
                     timeout=180, workers=[worker])
            if kind != "mqtt":
                wait_for(lambda: queue_depth(amqp, queue) == 0, "an empty queue",
                         workers=[worker])
            exit_code = worker.stop()
        depth = queue_depth(amqp, queue) if kind != "mqtt" else None
        if measurement is not None:
            seqs, bad = measurement.seqs(), 0
        else:
            assert table is not None
            rows = table.rows()
            seqs, bad = [r.seq for r in rows], len(check_content(rows))
        node = WATCHED[kind]
        return RestartOutcome(
            kind=kind,
            tally=tally(range(total), seqs),
            done_at_restart=done_at_restart,
            node=node,
            reconnection=reconnection(worker, node),
            bad_content=bad,
            exit_code=exit_code,
            errors=worker.errors(),
            depth_at_end=depth,
        )
    finally:
        if kind != "mqtt":
            delete_queue(amqp, queue)
        if table is not None:
            table.drop()
        if measurement is not None:
            measurement.drop()
        shutil.rmtree(directory, ignore_errors=True)
        server.close()
