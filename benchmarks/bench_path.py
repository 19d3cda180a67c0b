"""What each stage of the MQTT -> InfluxDB + PostgreSQL path costs a message, in-process.

    python benchmarks/bench_path.py                      # 5 rounds of 5,000 messages, medians
    python benchmarks/bench_path.py --rounds 3 --n 2000 --json
    python benchmarks/bench_path.py --only change,influx-encode

The flow is the one integrators run: ``mqtt-in (QoS 1, payload as text) -> json -> function
-> switch -> change (JSONata) -> influx-out (InfluxDB 1.x) and postgres-out (PostgreSQL)``.
Each stage runs on the real node instances of that flow, started by the engine (connections
opened, nodes started), and is timed alone on messages prepared by the stages before it:

- ``mqtt-in``: ``read()`` of pre-built paho messages put where the network thread puts them
  (the payload decoded, the message made); no broker traffic;
- ``json``, ``function (JS)`` (QuickJS inside the process, the default under
  ``--scripts allow``), ``function (Python)`` (the ``script`` node, for comparison; not part
  of the path), ``switch``, ``change (JSONata)``: ``process(msg)``;
- ``influx encode`` and ``postgres rows``: the sinks' mapping of a batch of messages to line
  protocol and to rows, without the server;
- ``influx write`` and ``postgres write``: ``write(batch)`` of the sinks against the real
  servers (FLOWRT_TEST_INFLUX, FLOWRT_TEST_POSTGRES), batches of 1,000 and 500 as configured,
  encoding included;
- ``path``: the sum of the stages of the path (without the Python function);
- ``engine``: the decoded messages emitted by the mqtt-in node of the flow and carried
  by the engine to both sinks, until every row and point is written (dispatch, queues,
  batching and acknowledgement included; not mqtt-in).

Figures are microseconds per message, the median of ``--rounds`` (each stage alternating with
the others in every round, so noise on a shared machine hits all of them): wall time, and the
CPU time of this process (for the sinks, wall time also counts the server's work and the wait
for its answer, which the engine overlaps with other messages); and the throughput the path's
cost allows on one core.
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
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("FLOWRT_JS_ISOLATION", "inline")

import httpx  # noqa: E402
import psycopg  # noqa: E402

from flowrt.compile import build_plan  # noqa: E402
from flowrt.load import Project, load_text  # noqa: E402
from flowrt.message import clone  # noqa: E402
from flowrt.run import Runtime  # noqa: E402

PG = os.environ.get("FLOWRT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
INFLUX = os.environ.get("FLOWRT_TEST_INFLUX", "http://127.0.0.1:8086")
MQTT = os.environ.get("FLOWRT_TEST_MQTT", "mqtt://127.0.0.1:1883")

FUNCTION_JS = """\
const p = msg.payload;
p.celsius = Math.round((p.fahrenheit - 32) * 5 / 9 * 100) / 100;
delete p.fahrenheit;
msg.measurement = "telemetry";
return msg;"""

FUNCTION_PY = """\
p = msg["payload"]
p["celsius"] = round((p["fahrenheit"] - 32) * 5 / 9, 2)
del p["fahrenheit"]
msg["measurement"] = "telemetry"
return msg"""

JSONATA = {
    "payload.site": "payload.meta.site",
    "payload.watts": "$number(payload.power) * 2",
    "payload.label": "payload.device & '@' & payload.meta.site",
}


def flow_text(database: str, table: str) -> str:
    rules = [{"set": target, "to": {"type": "jsonata", "value": expression}}
             for target, expression in JSONATA.items()]
    rules.append({"delete": "payload.meta"})
    doc = {
        "flowrt": 1,
        "connections": {
            "plant": {"type": "mqtt-broker", "url": MQTT},
            "tsdb": {"type": "influxdb", "version": 1, "url": INFLUX, "database": database},
            "db": {"type": "postgres", "dsn": PG},
        },
        "nodes": {
            "readings": {"type": "mqtt-in", "connection": "plant", "topic": "plant/+/telemetry",
                         "qos": 1, "payload": "string", "to": "parse"},
            "parse": {"type": "json", "to": "convert"},
            "convert": {"type": "function", "func": FUNCTION_JS, "to": "route"},
            "convert_py": {"type": "script", "code": FUNCTION_PY, "timeout": 0},
            "route": {"type": "switch", "property": "payload.celsius",
                      "rules": [{"gt": -100}], "to": {0: "enrich"}},
            "enrich": {"type": "change", "rules": rules, "to": ["store_ts", "store_pg"]},
            "store_ts": {"type": "influx-out", "connection": "tsdb",
                         "tags": {"device": {"type": "msg", "value": "payload.device"},
                                  "site": {"type": "msg", "value": "payload.site"}},
                         "batch_size": 1000, "buffer": 1_000_000},
            "store_pg": {"type": "postgres-out", "connection": "db", "table": table,
                         "columns": {"device": "payload.device", "site": "payload.site",
                                     "celsius": "payload.celsius", "watts": "payload.watts",
                                     "label": "payload.label", "topic": "topic"},
                         "batch_size": 500, "buffer": 1_000_000},
        },
    }
    return json.dumps(doc)


def wire_messages(n: int) -> list[Any]:
    """paho messages as the network thread hands them over (QoS 1, 8 devices)."""
    from paho.mqtt.client import MQTTMessage

    out = []
    for i in range(n):
        device = f"dev-{i % 8}"
        m = MQTTMessage(i % 65535 + 1, f"plant/{device}/telemetry".encode())
        m.payload = json.dumps({
            "device": device, "fahrenheit": 60 + (i % 400) / 10, "power": str(100 + i % 50),
            "seq": i, "meta": {"site": "plant-1", "line": i % 3},
        }).encode()
        m.qos = 1
        out.append(m)
    return out


Stage = Callable[[list[Any]], Awaitable[None]]


class Path_:
    """The started flow, and each stage as a function of a list of messages."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        nodes: dict[str, Any] = rt.nodes
        self.n = nodes

    async def mqtt_in(self, wire: list[Any]) -> list[Any]:
        src = self.n["readings"]
        mode = src.config.payload
        src._waiting.extend((m, None, mode) for m in wire)
        return [(await src.read())[0] for _ in wire]

    def transform(self, node: str) -> Callable[[list[Any]], list[Any]]:
        process = self.n[node].process
        return lambda msgs: [process(m) for m in msgs]


async def _setup(database: str, table: str) -> Runtime:
    async with httpx.AsyncClient() as client:
        await client.post(f"{INFLUX}/query", data={"q": f'CREATE DATABASE "{database}"'})
    with psycopg.connect(PG, autocommit=True) as pg:
        pg.execute(f'CREATE TABLE "{table}" (device text, site text, celsius float8, '
                   "watts float8, label text, topic text)")
    plan, _ = build_plan(Project(documents=[load_text(flow_text(database, table), "p.json")]),
                         env={})
    rt = Runtime(plan, env={})
    await rt.lifecycle.build()
    for conn in rt.connections.values():
        await conn.open()
    for node in rt.nodes.values():
        await node.start()
    return rt


async def _teardown(rt: Runtime, database: str, table: str) -> tuple[int, int]:
    for node in rt.nodes.values():
        await node.stop()
    for conn in rt.connections.values():
        await conn.close()
    with psycopg.connect(PG, autocommit=True) as pg:
        rows = pg.execute(f'SELECT count(*) FROM "{table}"').fetchone()
        pg.execute(f'DROP TABLE "{table}"')
    async with httpx.AsyncClient() as client:
        answer = await client.post(f"{INFLUX}/query", data={
            "db": database, "q": "SELECT count(celsius) FROM telemetry"})
        await client.post(f"{INFLUX}/query", data={"q": f'DROP DATABASE "{database}"'})
    series = answer.json()["results"][0].get("series", [])
    return (rows[0] if rows else 0), (series[0]["values"][0][1] if series else 0)


PATH = ("mqtt-in", "json", "function (JS)", "switch", "change (JSONata)", "influx write",
        "postgres write")


async def measure(
    n: int, rounds: int, only: set[str] | None
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Per stage, microseconds per message of each round: wall time, and this process's CPU
    time (a sink's wall time includes the server's work; on a shared machine, its CPU too)."""
    database = "flowrt_bench_" + uuid.uuid4().hex[:8]
    table = "bench_path_" + uuid.uuid4().hex[:8]
    rt = await _setup(database, table)
    p = Path_(rt)
    ts, pg = p.n["store_ts"], p.n["store_pg"]
    chain = [("json", p.transform("parse")), ("function (JS)", p.transform("convert")),
             ("switch", p.transform("route")), ("change (JSONata)", p.transform("enrich"))]
    fresh_now = rt.contexts["store_ts"].now

    async def batches(write: Callable[[list[Any]], Awaitable[None]], msgs: list[Any],
                      size: int) -> None:
        for i in range(0, len(msgs), size):
            await write(msgs[i:i + size])

    def influx_encode(msgs: list[Any]) -> None:
        stamp = int(fresh_now() * 1000)
        for m in msgs:
            ts.mapper.points(m, lambda: stamp)

    def pg_rows(msgs: list[Any]) -> None:
        for i in range(0, len(msgs), 500):
            pg._rows.runs(msgs[i:i + 500])

    times: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    clock: list[float] = [0.0, 0.0]

    def start_clock() -> None:
        clock[:] = [time.perf_counter(), time.process_time()]

    def stop_clock(name: str) -> None:
        times.setdefault(name, []).append(time.perf_counter() - clock[0])
        cpu.setdefault(name, []).append(time.process_time() - clock[1])

    sinks = _sink_tasks(rt)
    try:
        wire = wire_messages(n)
        for _ in range(rounds):
            start_clock()
            msgs = await p.mqtt_in(wire)
            stop_clock("mqtt-in")
            staged = {"mqtt-in": msgs}
            for name, run in chain:
                inputs = [clone(m) for m in msgs]
                start_clock()
                msgs = run(inputs)
                stop_clock(name)
                staged[name] = msgs
            if only is None or "function (Python)" in only:
                inputs = [clone(m) for m in staged["json"]]
                run = p.transform("convert_py")
                start_clock()
                run(inputs)
                stop_clock("function (Python)")
            done = staged["change (JSONata)"]
            for name, sink, size in (("influx write", ts, 1000), ("postgres write", pg, 500)):
                inputs = [clone(m) for m in done]
                start_clock()
                await batches(sink.write, inputs, size)
                stop_clock(name)
            for name, step in (("influx encode", influx_encode), ("postgres rows", pg_rows)):
                inputs = [clone(m) for m in done]
                start_clock()
                step(inputs)
                stop_clock(name)
            if only is None or "engine" in only:
                inputs = [clone(m) for m in staged["mqtt-in"]]
                start_clock()
                await _through_engine(rt, inputs)
                stop_clock("engine")
    finally:
        for task in sinks:
            task.cancel()
        await asyncio.gather(*sinks, return_exceptions=True)
        rows, points = await _teardown(rt, database, table)
    # Each message is written once by the postgres write stage and once through the engine.
    expected = n * rounds * (2 if only is None or "engine" in only else 1)
    if rows != expected:
        print(f"warning: {rows} rows in the table, {expected} expected", file=sys.stderr)
    if points == 0:
        print("warning: no points in InfluxDB", file=sys.stderr)
    return ({k: [t / n * 1e6 for t in v] for k, v in times.items()},
            {k: [t / n * 1e6 for t in v] for k, v in cpu.items()})


async def _through_engine(rt: Runtime, msgs: list[Any]) -> None:
    """The messages carried by the engine from mqtt-in's output to both sinks' commits."""
    for i, msg in enumerate(msgs):
        rt.emit_source("readings", msg, None)
        if i % 1000 == 999:
            await asyncio.sleep(0)
    while rt.inflight:
        await asyncio.sleep(0.001)


def _sink_tasks(rt: Runtime) -> list[asyncio.Future[None]]:
    """The engine's loops of both sinks (batches from their queues), as ``run`` starts them."""
    from flowrt.run.workers import Engine, run_sink

    engine = Engine(rt.phase, rt.clock, rt.events)
    return [asyncio.ensure_future(run_sink(engine, rt.nodes[s], rt.contexts[s],  # type: ignore[arg-type]
                                           rt.queues[s], rt.stats[s], s in rt.watched_complete))
            for s in ("store_ts", "store_pg")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--only", default="", help="comma-separated stages to show")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else None
    found, cpu = asyncio.run(measure(args.n, args.rounds, only))
    medians = {k: statistics.median(v) for k, v in found.items()}
    cpu_medians = {k: statistics.median(v) for k, v in cpu.items()}
    medians["path"] = sum(medians[k] for k in PATH)
    cpu_medians["path"] = sum(cpu_medians[k] for k in PATH)
    if args.json:
        print(json.dumps({k: {"us": round(v, 2), "cpu_us": round(cpu_medians[k], 2)}
                          for k, v in medians.items()}, indent=2))
        return
    print(f"{'stage':<20}{'us/msg':>9}{'best':>9}{'cpu us':>9}")
    for name, value in medians.items():
        if only is not None and name not in only and name != "path":
            continue
        best = min(found[name]) if name in found else value
        print(f"{name:<20}{value:>9.2f}{best:>9.2f}{cpu_medians[name]:>9.2f}")
    print(f"{'path, msg/s':<20}{1e6 / medians['path']:>9.0f}{'':>9}"
          f"{1e6 / cpu_medians['path']:>9.0f}")
    if "engine" in medians:
        print(f"{'engine, msg/s':<20}{1e6 / medians['engine']:>9.0f}{'':>9}"
              f"{1e6 / cpu_medians['engine']:>9.0f}")


if __name__ == "__main__":
    main()
