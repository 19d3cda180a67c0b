"""The servers one pipeline run uses: a private Mosquitto as Debian ships it, and a fresh
PostgreSQL table and InfluxDB database on the shared servers, with the queries that count what
arrived.

Every message carries a unique ``id`` (probes sent while a system starts have negative ids). A
row keeps ``sent`` (the publisher's wall clock, in milliseconds since the epoch) and
``inserted``, the database's ``clock_timestamp()`` when the row was inserted: for a batch
written by COPY that is the moment the server read the row, a few milliseconds at most before
its transaction commits; for one INSERT per message, the moment before its commit. A point's
time is ``BASE + id`` milliseconds, so two messages never make the same point (InfluxDB keeps
one point per series and time) and a message written twice makes one point: duplicates are
counted in PostgreSQL only, where the table has no unique key.
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion

from tests.support.servers import free_port

PG_DSN = os.environ.get("FLOWRT_TEST_POSTGRES") or "postgresql://postgres@127.0.0.1:5432/test"
INFLUX_URL = os.environ.get("FLOWRT_TEST_INFLUX_V1") or "http://127.0.0.1:8086"
AMQP_URL = os.environ.get("FLOWRT_TEST_AMQP") or "amqp://guest:guest@127.0.0.1:5672/"
BASE = 1_700_000_000_000
"""The time of the point of message 0, in milliseconds since the epoch (the flows add the id)."""
MEASUREMENT = "reading"
DROPPED = "$SYS/broker/publish/messages/dropped"


class Mosquitto:
    """A private Mosquitto on a free port, configured as Debian's package ships it: persistence
    on, and the per-client limits left at their defaults (``max_inflight_messages 20``,
    ``max_queued_messages 1000``: a QoS 1 message for a client that has 1,000 queued is
    dropped). ``nodelay`` adds ``set_tcp_nodelay true``, which Debian's configuration lacks.
    The one line added is ``sys_interval 1`` (every second, not 10): how often the broker
    publishes its counters, of which :meth:`dropped` reads the messages it dropped."""

    def __init__(self, nodelay: bool = False) -> None:
        self.port = free_port()
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self.directory = Path(tempfile.mkdtemp(prefix=f"flowrt-pipeline-mqtt-{self.port}-"))
        self.directory.chmod(0o755)
        self.log = self.directory / "mosquitto.log"
        conf = self.directory / "mosquitto.conf"
        lines = [
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous true",
            "persistence true",
            f"persistence_location {self.directory}/",
            f"log_dest file {self.log}",
            "sys_interval 1",
        ]
        if os.geteuid() == 0:
            lines.insert(0, "user root")
        if nodelay:
            lines.append("set_tcp_nodelay true")
        conf.write_text("\n".join(lines) + "\n")
        self.process = subprocess.Popen(
            ["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    said = self.log.read_text(errors="replace") if self.log.exists() else ""
                    self.close()
                    raise RuntimeError(f"mosquitto did not start:\n{said}") from None
                time.sleep(0.05)
        self._dropped = -1
        self._monitor = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        self._monitor.on_message = self._on_counter
        self._monitor.on_connect = lambda client, *_: client.subscribe(DROPPED, 0)
        self._monitor.connect("127.0.0.1", self.port, 60)
        self._monitor.loop_start()

    def _on_counter(self, _client: Any, _userdata: Any, message: Any) -> None:
        self._dropped = int(message.payload)

    def dropped(self) -> int:
        """Messages the broker dropped since it started, or -1 if it never said. The broker
        publishes the counter (retained) within a second of a change, so this waits 1.5 s."""
        time.sleep(1.5)
        return self._dropped

    def close(self) -> None:
        if hasattr(self, "_monitor"):
            self._monitor.disconnect()
            self._monitor.loop_stop()
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        for path in sorted(self.directory.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        self.directory.rmdir()


@dataclass
class Progress:
    rows: int
    distinct: int
    points: int
    last_inserted: float | None
    """Epoch milliseconds of the last row, by the database's clock."""


class Store:
    """A table and a database of their own for one run; dropped by :meth:`drop`."""

    def __init__(self, pg_dsn: str = PG_DSN, influx_url: str = INFLUX_URL) -> None:
        self.pg_dsn = pg_dsn
        self.influx_url = influx_url
        self.name = "pipeline_" + uuid.uuid4().hex[:12]
        self.pg = psycopg.connect(pg_dsn, autocommit=True)
        self.pg.execute(
            f"CREATE TABLE {self.name} (id bigint, sent float8, device text, value float8,"
            " celsius float8, fahrenheit float8, inserted timestamptz DEFAULT clock_timestamp())"
        )
        self.http = httpx.Client(timeout=60)
        self._influxql(f'CREATE DATABASE "{self.name}"')

    @property
    def table(self) -> str:
        return self.name

    @property
    def database(self) -> str:
        return self.name

    def _influxql(self, query: str, db: str | None = None) -> list[dict[str, Any]]:
        params = {"q": query, "epoch": "ms", "chunked": "true", "chunk_size": "10000"}
        if db:
            params["db"] = db
        response = self.http.post(f"{self.influx_url}/query", params=params)
        response.raise_for_status()
        series: list[dict[str, Any]] = []
        for chunk in response.text.splitlines():
            if chunk.strip():
                for result in json.loads(chunk).get("results", []):
                    if "error" in result:
                        raise RuntimeError(f"InfluxDB: {result['error']}")
                    series += result.get("series", [])
        return series

    def progress(self) -> Progress:
        row = self.pg.execute(
            f"SELECT count(*), count(DISTINCT id), extract(epoch FROM max(inserted)) * 1000"
            f" FROM {self.name} WHERE id >= 0"
        ).fetchone()
        assert row is not None
        series = self._influxql(
            f'SELECT count(value) FROM "{MEASUREMENT}" WHERE time >= {BASE}ms', self.name
        )
        points = int(series[0]["values"][0][1]) if series else 0
        last = float(row[2]) if row[2] is not None else None
        return Progress(rows=row[0], distinct=row[1], points=points, last_inserted=last)

    def row_ids(self) -> Counter[int]:
        """How many rows each id has (probes left out)."""
        found = self.pg.execute(f"SELECT id, count(*) FROM {self.name} WHERE id >= 0 GROUP BY id")
        return Counter({int(i): int(n) for i, n in found.fetchall()})

    def point_ids(self) -> set[int]:
        found: set[int] = set()
        query = f'SELECT value FROM "{MEASUREMENT}" WHERE time >= {BASE}ms'
        for series in self._influxql(query, self.name):
            found.update(int(t) - BASE for t, _ in series["values"])
        return found

    def latencies(self, first_id: int) -> list[float]:
        """Milliseconds from publish to row of each message from ``first_id`` on (its first
        row, when it has several)."""
        found = self.pg.execute(
            f"SELECT min(extract(epoch FROM inserted) * 1000 - sent) FROM {self.name}"
            " WHERE id >= %s GROUP BY id",
            (first_id,),
        )
        return [float(ms) for (ms,) in found.fetchall()]

    def drop(self) -> None:
        try:
            self.pg.execute(f"DROP TABLE IF EXISTS {self.name}")
            self._influxql(f'DROP DATABASE "{self.name}"')
        finally:
            self.pg.close()
            self.http.close()


def percentiles(values: list[float]) -> tuple[float, float]:
    """p50 and p99 of ``values``."""
    if len(values) < 2:
        return (values[0], values[0]) if values else (float("nan"), float("nan"))
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return statistics.median(values), cuts[98]
