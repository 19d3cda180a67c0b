"""mqtt-in with its journal against a Mosquitto with stock limits, into a deliberately slow sink.

A private Mosquitto (:class:`servers.PrivateServer`, stock ``max_inflight_messages 20`` and
``max_queued_messages 1000``) holds a persistent session under a fixed client id, made before
the worker starts. ``messages`` numbered QoS 1 messages are published as fast as the broker
are published at ``rate`` a second into ``mqtt-in -> work (script) -> store (postgres-out)``,
whose table sleeps ``per_row`` seconds per row (a trigger): at 2 ms a row the flow writes at
most 500 rows a second, so the default 750 a second drives it at 1.5 times (at least) what it
sustains. Without a journal the broker holds what the flow is behind on and drops beyond
1,000; with it the worker reads ahead into its journal and nothing waits at the broker.
(Publishers faster than the journal's intake, 2,500-3,900 messages a second on the shared
2-core machine with Mosquitto's 20 in flight, fill the broker's queue again, as they do for a
plain paho subscriber: see benchmarks/bench_journal.py.)

``kill_after``: once publishing ended and the table has that many more rows, the worker is
killed with SIGKILL (no drain,
no acknowledgement, no journal close), the rows its journal file holds are read (the messages
it had not finished: those it may write again), and a second worker starts on the same flow
file and state directory: it feeds the journal's rows first, then reads on.

Publishing ends before the kill: while no flowrt runs, only the broker's own queue (1,000
messages) holds what is published, and that is the broker's limit, not flowrt's.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tests.faults.brokers import address, create_session, drain_session, payload
from tests.faults.harness import Tally, Worker, tag, tally, wait_for, workers, write_flow
from tests.faults.pipelines import ENV, mqtt_source, pipeline, postgres_sink
from tests.faults.stores import Table
from tests.support.servers import PrivateServer, url


@dataclass
class JournalOutcome:
    tally: Tally
    journal: bool
    rows_at_kill: int = 0
    journaled_at_kill: set[int] = field(default_factory=set)
    """Message numbers the killed worker's journal held (not finished) when it died."""
    duplicated: set[int] = field(default_factory=set)
    """Message numbers written more than once."""
    replayed: int = 0
    """Messages the second worker said it fed from the earlier run's journal."""
    left_at_broker: int = 0
    exit_code: int | None = None
    warnings: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


def journal_rows(directory: Path) -> set[int]:
    """The message numbers held by the journal files under ``directory`` (read directly)."""
    held: set[int] = set()
    for path in directory.rglob("*.sqlite3"):
        with sqlite3.connect(path) as db:
            for (body,) in db.execute("SELECT body FROM messages"):
                held.add(int(json.loads(body)["payload"]["seq"]))
    return held


def publish_paced(server_url: str, topic: str, count: int, rate: float) -> None:
    """Publish messages ``0..count-1`` with QoS 1 at ``rate`` a second (paced on the clock, not
    on acknowledgements); returns once the broker acknowledged every one."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(1000)
    client.connect(*address(server_url), 30)
    client.loop_start()
    try:
        start = time.monotonic()
        infos = []
        for seq in range(count):
            wait = start + seq / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            infos.append(client.publish(topic, payload(seq), qos=1))
        for info in infos:
            info.wait_for_publish(120)
            if not info.is_published():
                raise AssertionError(f"the MQTT broker at {server_url} did not take a message")
    finally:
        client.disconnect()
        client.loop_stop()


def through_journal(messages: int = 20_000, per_row: float = 0.002, journal: bool = True,
                    kill_after: int | None = None, rate: float = 750.0,
                    timeout: float = 600.0) -> JournalOutcome:
    run = tag()
    broker = PrivateServer("mqtt")
    pg = url("pg")
    topic, client_id, table_name = (f"flowrt/fault/journal/{run}", f"flowrt-journal-{run}",
                                    f"fault_journal_{run}")
    directory = Path(tempfile.mkdtemp(prefix="flowrt-fault-journal-"))
    state = directory / "state"
    table = Table(pg, table_name).create(slow=per_row)
    try:
        broker.start()
        create_session(broker.url, client_id, topic)
        source = mqtt_source(broker.url, topic, client_id)
        if not journal:
            source[1]["journal"] = False
        flow = pipeline(source, postgres_sink(pg, table_name))
        path = write_flow(directory, f"fault-journal-{run}", flow)
        args = ["--state-dir", str(state)]
        first = Worker(f"first-{run}", [path], ENV, args)
        second = Worker(f"second-{run}", [path], ENV, args)
        out = JournalOutcome(tally=tally([], []), journal=journal)
        with workers(first) as (worker,):
            worker.wait_running()
            publish_paced(broker.url, topic, messages, rate)
            published_rows = table.count()
            if kill_after is None:
                end = (lambda: table.distinct() >= messages) if journal else _quiet(table)
                wait_for(end, f"{messages} rows" if journal else "the rows to stop coming",
                         timeout, workers=[worker])
                out.exit_code = worker.stop()
            else:
                out.rows_at_kill = wait_for(
                    lambda: (n if (n := table.count()) >= published_rows + kill_after else 0),
                    f"{kill_after} rows before the kill", timeout, workers=[worker])
                worker.kill()
                out.journaled_at_kill = journal_rows(state)
        if kill_after is not None:
            with workers(second) as (worker,):
                worker.wait_running()
                wait_for(lambda: table.distinct() >= messages, f"all {messages} rows",
                         timeout, workers=[worker])
                out.exit_code = worker.stop()
                out.replayed = _replayed(worker)
        rows = table.rows()
        out.left_at_broker = len(drain_session(broker.url, client_id, mqtt5=False))
    finally:
        table.drop()
        broker.close()
        shutil.rmtree(directory, ignore_errors=True)
    out.tally = tally(range(messages), (r.seq for r in rows))
    ran = [first, second] if kill_after is not None else [first]
    out.warnings = [r for w in ran for r in w.log() if r.get("level") == "warning"]
    out.errors = [r for w in ran for r in w.errors()]
    seen: set[int] = set()
    for r in rows:
        (out.duplicated if r.seq in seen else seen).add(r.seq)
    return out


def _quiet(table: Table, seconds: float = 10.0) -> Any:
    """A probe true once the table gained no row for ``seconds`` (the run without a journal,
    whose lost messages never come: for the benchmark's figure, not for a test)."""
    last = [-1, time.monotonic()]

    def probe() -> bool:
        count = table.count()
        if count != last[0]:
            last[0], last[1] = count, time.monotonic()
        return time.monotonic() - last[1] > seconds

    return probe


def _replayed(worker: Worker) -> int:
    for record in worker.log():
        found = re.search(r"feeding (\d+) message\(s\) an earlier run left",
                          str(record.get("message", "")))
        if found:
            return int(found.group(1))
    return 0
