"""The three runs of a system, each on a fresh table and database and a fresh process.

- **throughput**: N messages published as fast as the broker takes them (QoS 1, by
  ``mosquitto_pub``, which publishes five times as fast as paho: see
  :func:`pipeline.load.publish_burst`; or persistent AMQP messages); the clock runs from the
  first publish to the last row in PostgreSQL (its ``inserted`` time) or the poll that first
  saw the last point in InfluxDB (polled every 0.2 s), whichever is later.
- **latency**: a steady rate (1,000 msg/s by default); from each message's ``sent`` stamp to
  its row's ``inserted`` time, the first second left out as warm-up.
- **loss**: N messages at a given rate (above what the system sustains, to see what the
  broker and the system do with a backlog), optionally with the system killed with SIGKILL
  once half were published and started again at once (same MQTT client id, same queue, same
  state directory). Duplicates may come only from what was unacknowledged when it died: the
  source's window (``receive_maximum``, ``prefetch``), or, where a source keeps a journal,
  the messages the journal held unfinished (counted in its file before the restart).

A run ends when every message is in both stores, or when nothing new arrived for ``stall``
seconds after the last publish, or at ``timeout``. Lost: ids missing from PostgreSQL or from
InfluxDB; duplicates: rows beyond the first of an id; ``broker_dropped``: what Mosquitto's
counter of dropped messages rose by during the run (its queue for the client was full).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pipeline.load import (
    AmqpPublisher,
    MqttPublisher,
    Publisher,
    mosquitto_pub,
    publish,
    publish_burst,
)
from pipeline.stores import AMQP_URL, Mosquitto, Progress, Store, percentiles
from pipeline.systems import System, Target


@dataclass
class Settings:
    broker: Mosquitto
    amqp_url: str = AMQP_URL
    stall: float = 20.0
    timeout: float = 600.0
    ready_timeout: float = 60.0
    paho_burst: bool = False
    """The throughput run's MQTT messages published by paho, as the other runs', not by
    ``mosquitto_pub`` (:func:`pipeline.load.publish_burst`); paho also where it is missing."""


def _target(settings: Settings, system: System, store: Store) -> Target:
    tag = uuid.uuid4().hex[:8]
    return Target(
        transport=system.transport, mqtt_url=settings.broker.url,
        topic=f"pipeline/{tag}/readings", client_id=f"pipeline-{system.name}-{tag}",
        amqp_url=settings.amqp_url, queue=f"pipeline-{tag}", pg_dsn=store.pg_dsn,
        table=store.table, influx_url=store.influx_url, database=store.database,
        state_dir=str(system.directory / f"state-{tag}"),
    )


def _publisher(target: Target) -> Publisher:
    if target.transport == "amqp":
        return AmqpPublisher(target.amqp_url, target.queue)
    return MqttPublisher(target.mqtt_url, target.topic)


def _wait_ready(system: System, store: Store, publisher: Publisher, timeout: float) -> float:
    """Publish probes (negative ids) until one is a row; returns seconds from start."""
    started = time.monotonic()
    probe = -1
    while True:
        if system.process is None or not system.process.alive():
            raise RuntimeError(f"{system.label} exited while starting:\n{system.output()}")
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"{system.label} passed no probe within {timeout:.0f} s:\n"
                               f"{system.output()}")
        publisher.send(probe)
        probe -= 1
        publisher.flush(30)
        time.sleep(0.3)
        found = store.pg.execute(f"SELECT count(*) FROM {store.table} WHERE id < 0").fetchone()
        if found and found[0]:
            return time.monotonic() - started


def _wait_done(store: Store, count: int, settings: Settings) -> tuple[Progress, float, bool]:
    """Poll until every message is stored, or a stall or the timeout; returns the last
    progress, the wall-clock time (epoch ms) by which everything was stored (else when the
    last message was), and whether everything was."""
    started = last_change = time.monotonic()
    last_change_ms = time.time() * 1000
    seen: tuple[int, int] = (-1, -1)
    points_done: float | None = None
    while True:
        progress = store.progress()
        now_ms = time.time() * 1000
        if progress.points >= count and points_done is None:
            points_done = now_ms
        if progress.distinct >= count and points_done is not None:
            return progress, max(progress.last_inserted or now_ms, points_done), True
        if (progress.rows, progress.points) != seen:
            seen = (progress.rows, progress.points)
            last_change, last_change_ms = time.monotonic(), now_ms
        now = time.monotonic()
        if now - last_change > settings.stall or now - started > settings.timeout:
            return progress, max(progress.last_inserted or 0, last_change_ms), False
        time.sleep(0.2)


def _counts(store: Store, count: int) -> dict[str, int]:
    rows = store.row_ids()
    points = store.point_ids()
    expected = set(range(count))
    in_both = expected & set(rows) & points
    return {
        "lost": count - len(in_both),
        "lost_rows": count - len(expected & set(rows)),
        "lost_points": count - len(expected & points),
        "duplicates": sum(n - 1 for n in rows.values()),
    }


def _run(
    system: System, settings: Settings, count: int, rate: float | None,
    kill9: bool = False,
    figures: Callable[[Store, int], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    store = Store()
    system.reset()
    target = _target(settings, system, store)
    publisher: Publisher | None = None
    try:
        if target.transport == "amqp":
            AmqpPublisher(target.amqp_url, target.queue).close()  # declares the queue
        dropped = settings.broker.dropped() if target.transport == "mqtt" else None
        system.start(target)
        publisher = _publisher(target)
        startup = _wait_ready(system, store, publisher, settings.ready_timeout)

        def midway() -> None:
            system.kill9_and_restart(target)

        if (rate is None and not kill9 and target.transport == "mqtt"
                and not settings.paho_burst and mosquitto_pub() is not None):
            first, acked = publish_burst(target.mqtt_url, target.topic, count)
        else:
            first, acked = publish(publisher, count, rate, midway if kill9 else None)
        progress, done, complete = _wait_done(store, count, settings)
        elapsed = (done - first) / 1000
        result: dict[str, Any] = {
            "messages": count,
            "complete": complete,
            "seconds": round(elapsed, 3),
            "publish_seconds": round((acked - first) / 1000, 3),
            "msgs_per_s": round(min(progress.distinct, progress.points) / elapsed, 1),
            "startup_s": round(startup, 2),
            **_counts(store, count),
        }
        if dropped is not None:
            result["broker_dropped"] = settings.broker.dropped() - dropped
        if rate:
            result["rate"] = round(rate, 1)
        if figures is not None:
            result.update(figures(store, count))
        status = system.stop()
        result["peak_rss_mb"] = round(system.peak_rss / 2**20, 1)
        result["exit_status"] = status
        if status not in (0, None) or not complete:
            result["output"] = system.output()
        return result
    finally:
        if system.process is not None and system.process.alive():
            system.stop()
        if publisher is not None:
            publisher.close()
        if target.transport == "amqp":
            AmqpPublisher.delete(target.amqp_url, target.queue)
        store.drop()


def throughput(system: System, settings: Settings, count: int) -> dict[str, Any]:
    return _run(system, settings, count, None)


def latency(system: System, settings: Settings, rate: float, seconds: float) -> dict[str, Any]:
    warmup = int(rate)

    def figures(store: Store, count: int) -> dict[str, Any]:
        p50, p99 = percentiles(store.latencies(warmup))
        return {"p50_ms": round(p50, 1), "p99_ms": round(p99, 1)}

    return _run(system, settings, int(rate * (seconds + 1)), rate, figures=figures)


def loss(
    system: System, settings: Settings, count: int, rate: float, kill9: bool
) -> dict[str, Any]:
    system.journal_at_kill = None
    result = _run(system, settings, count, rate, kill9=kill9)
    result["killed"] = kill9
    result["unacknowledged_window"] = system.window
    if kill9 and system.journal_at_kill is not None:
        result["journal_at_kill"] = system.journal_at_kill
    return result
