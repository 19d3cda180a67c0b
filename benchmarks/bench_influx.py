"""Points per second that influx-out writes through a flowrt flow, to InfluxDB 1.x (1.x API) and
to VictoriaMetrics (2.x write API, influxdb-client), next to the same points posted directly.

    python benchmarks/bench_influx.py [--points 50000] [--batch 1000] [--repeat 3] [--json]

The flow is one influx-out node (batches of ``--batch``) on the engine, messages handed to its
input as a source hands them over: each goes through the sink's bounded queue, the point
mapping (nodes/influx/influx_lines.py; the next full batch mapped while one is written) and one
HTTP request per batch (1.x: httpx; 2.x: influxdb-client's write API). A message is one point
with two fields and a tag, with its own timestamp. The clock runs from the first message sent
to the last batch written; then the points are counted on the server (a run that lost any
fails).

Baselines, in the same batch size and the same line protocol (the same text, byte for byte):
a hand-written script that makes the same messages into points with influxdb-client's
``Point`` and posts each batch with httpx, awaiting it before the next (what influx-out is
compared with, as a ratio); on the 2.x API also the same script posting through
influxdb-client's own write API (``SYNCHRONOUS``), the library influx-out writes 2.x with;
and the points already serialised, posted with httpx alone (the server's own ceiling on this
machine). The runs alternate (each round runs every way once, in a rotating order), so a
ratio compares runs made side by side: each rate is the median of ``--repeat`` rounds, each
ratio the median of the rounds' own ratios (on a shared machine the load drifts between rounds).
Servers: FLOWRT_TEST_INFLUX_V1 (default http://127.0.0.1:8086) and FLOWRT_TEST_VM
(http://127.0.0.1:8428), as the tests use them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.run import Runtime

INFLUX = os.environ.get("FLOWRT_TEST_INFLUX_V1") or "http://127.0.0.1:8086"
VM = os.environ.get("FLOWRT_TEST_VM") or "http://127.0.0.1:8428"
BASE = 1_700_000_000_000
NS_PER_MS = 1_000_000
"""influx-out writes every request at nanosecond precision; the baselines write the same."""
CHUNK = 500
"""Messages sent between two yields to the event loop, so the sink writes while they arrive."""


def message(i: int) -> dict[str, Any]:
    return {"payload": {"value": i * 0.5, "n": i}, "tags": {"sensor": f"s{i % 10}"},
            "timestamp": BASE + i}


def line(name: str, i: int) -> str:
    return f"{name},sensor=s{i % 10} n={i},value={i * 0.5} {(BASE + i) * NS_PER_MS}"


class Target:
    """One server: how a flow connects to it, how to post directly, count and clean up."""

    def __init__(self, label: str, url: str, version: int) -> None:
        self.label = label
        self.url = url
        self.version = version

    def connection(self, name: str) -> str:
        if self.version == 1:
            return f"{{type: influxdb, version: 1, url: '{self.url}', database: {name}}}"
        return f"{{type: influxdb, url: '{self.url}', org: bench, bucket: bench}}"

    async def prepare(self, client: httpx.AsyncClient, name: str) -> None:
        if self.version == 1:
            await client.post(f"{self.url}/query", data={"q": f'CREATE DATABASE "{name}"'})

    async def post(self, client: httpx.AsyncClient, name: str, body: str) -> None:
        if self.version == 1:
            response = await client.post(f"{self.url}/write", params={"db": name,
                                         "precision": "n"}, content=body)
        else:
            response = await client.post(f"{self.url}/api/v2/write", params={
                "org": "bench", "bucket": "bench", "precision": "ns"}, content=body)
        assert response.status_code == 204, response.text

    async def count(self, client: httpx.AsyncClient, name: str) -> int:
        if self.version == 1:
            answer = (await client.post(f"{self.url}/query", data={
                "db": name, "q": f'SELECT count(n) FROM "{name}"'})).json()
            series = answer["results"][0].get("series", [])
            return int(series[0]["values"][0][1]) if series else 0
        await client.get(f"{self.url}/internal/force_flush")
        response = await client.post(f"{self.url}/api/v1/export",
                                     data={"match[]": f"{name}_n", "start": "0"})
        return sum(len(json.loads(s)["values"]) for s in response.text.splitlines() if s)

    async def cleanup(self, client: httpx.AsyncClient, name: str) -> None:
        if self.version == 1:
            await client.post(f"{self.url}/query", data={"q": f'DROP DATABASE "{name}"'})
        else:
            await client.post(f"{self.url}/api/v1/admin/tsdb/delete_series",
                              data={"match[]": f'{{__name__=~"{name}_.*"}}'})


TARGETS = [Target("InfluxDB 1.x", INFLUX, 1), Target("VictoriaMetrics (2.x API)", VM, 2)]


async def through_flowrt(target: Target, name: str, points: int, batch: int) -> float:
    """Seconds to write ``points`` messages through an influx-out node."""
    text = (
        "flowrt: 1\n"
        f"connections:\n  tsdb: {target.connection(name)}\n"
        "nodes:\n"
        f"  store: {{type: influx-out, connection: tsdb, measurement: {name}, "
        f"batch_size: {batch}, batch_interval: 0.2, buffer: {max(points, 1)}}}\n"
    )
    plan, _ = build_plan(Project(documents=[load_text(text, "bench.yaml")]))
    runtime = Runtime(plan, env={})
    errors: list[Any] = []
    runtime.events.hooks.error.append(errors.append)
    await runtime.start()
    try:
        started = time.perf_counter()
        for i in range(points):
            runtime.inject("store", message(i))
            if i % CHUNK == CHUNK - 1:
                await asyncio.sleep(0)
        await asyncio.wait_for(runtime.wait_idle(), 600)
        elapsed = time.perf_counter() - started
    finally:
        await runtime.stop()
    assert not errors, f"{len(errors)} messages failed, first: {errors[0].message}"
    return elapsed


def by_hand(point_type: Any, name: str, i: int) -> Any:
    """Message ``i`` made into a ``Point`` as a hand-written client would."""
    msg = message(i)
    point = point_type(name).time(msg["timestamp"] * NS_PER_MS, "ns")
    for key, value in msg["tags"].items():
        point.tag(key, value)
    for key, value in msg["payload"].items():
        point.field(key, float(value))
    return point


async def by_script(target: Target, name: str, points: int, batch: int) -> float:
    """Seconds for a hand-written loop: the same messages made into points with
    influxdb-client's ``Point``, posted in the same batches with httpx, no flowrt."""
    from influxdb_client.client.write.point import Point as point_type

    Point: Any = point_type  # influxdb-client has no type hints
    async with httpx.AsyncClient(timeout=120) as client:
        started = time.perf_counter()
        for start in range(0, points, batch):
            lines = []
            for i in range(start, min(points, start + batch)):
                lines.append(by_hand(Point, name, i).to_line_protocol())
            await target.post(client, name, "\n".join(lines))
        return time.perf_counter() - started


async def by_client(target: Target, name: str, points: int, batch: int) -> float:
    """Seconds for the hand-written loop posting through influxdb-client's write API (2.x
    only): the same points, in the same batches, one request at a time."""
    from influxdb_client.client.influxdb_client import InfluxDBClient
    from influxdb_client.client.write.point import Point as point_type
    from influxdb_client.client.write_api import SYNCHRONOUS

    Point: Any = point_type
    with InfluxDBClient(url=target.url, token="bench", org="bench", timeout=120_000) as client:
        writer = client.write_api(write_options=SYNCHRONOUS)
        started = time.perf_counter()
        for start in range(0, points, batch):
            batch_points = []
            for i in range(start, min(points, start + batch)):
                batch_points.append(by_hand(Point, name, i))
            writer.write(bucket="bench", org="bench", record=batch_points, write_precision="ns")
        return time.perf_counter() - started


async def ceiling(target: Target, name: str, points: int, batch: int) -> float:
    """Seconds to post the same points, serialised beforehand, with httpx alone: what the
    server takes on this machine."""
    bodies = ["\n".join(line(name, i) for i in range(start, min(points, start + batch)))
              for start in range(0, points, batch)]
    async with httpx.AsyncClient(timeout=120) as client:
        started = time.perf_counter()
        for body in bodies:
            await target.post(client, name, body)
        return time.perf_counter() - started


async def run_once(
    target: Target, points: int, batch: int,
    how: Callable[[Target, str, int, int], Awaitable[float]],
) -> float:
    """Points per second of one run, after checking the server holds every point."""
    name = "bench_" + uuid.uuid4().hex[:10]
    async with httpx.AsyncClient(timeout=120) as client:
        await target.prepare(client, name)
        try:
            elapsed = await how(target, name, points, batch)
            deadline = time.monotonic() + 30
            while (held := await target.count(client, name)) < points:
                assert time.monotonic() < deadline, f"{target.label}: {held} of {points} stored"
                await asyncio.sleep(0.2)
        finally:
            await target.cleanup(client, name)
    return points / elapsed


def measure(
    points: int = 50_000, batch: int = 1000, repeat: int = 3
) -> list[tuple[str, float, str]]:
    """(what, figure, unit) for each server: influx-out's rate, the hand-written scripts', the
    server's ceiling, and influx-out's rate as a ratio of the scripts'."""
    rows: list[tuple[str, float, str]] = []
    for target in TARGETS:
        ways = [through_flowrt, by_script, ceiling] + ([by_client] if target.version == 2 else [])
        runs: dict[str, list[float]] = {how.__name__: [] for how in ways}
        for round_ in range(repeat):
            for how in ways[round_ % len(ways):] + ways[:round_ % len(ways)]:
                runs[how.__name__].append(asyncio.run(run_once(target, points, batch, how)))
        rates = {name: statistics.median(values) for name, values in runs.items()}
        rows += [
            (f"influx-out -> {target.label}", rates["through_flowrt"], "points/s"),
            (f"Point + httpx script -> {target.label}", rates["by_script"], "points/s"),
        ]
        if "by_client" in rates:
            rows.append((f"Point + influxdb-client write API -> {target.label}",
                         rates["by_client"], "points/s"))
        rows += [
            (f"pre-serialised, httpx -> {target.label}", rates["ceiling"], "points/s"),
            (f"influx-out / script, {target.label}", _ratio(runs, "by_script"), "ratio"),
        ]
        if "by_client" in rates:
            rows.append((f"influx-out / write API script, {target.label}",
                         _ratio(runs, "by_client"), "ratio"))
    return rows


def _ratio(runs: dict[str, list[float]], other: str) -> float:
    """influx-out's rate over ``other``'s, round by round: the median."""
    pairs = zip(runs["through_flowrt"], runs[other], strict=True)
    return statistics.median(mine / theirs for mine, theirs in pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    rows = measure(args.points, args.batch, args.repeat)
    if args.json:
        print(json.dumps([{"what": w, "value": v, "unit": u} for w, v, u in rows], indent=2))
        return
    print(f"{args.points} points, batches of {args.batch}, median of {args.repeat} runs")
    for what, value, unit in rows:
        figure = f"{value:.2f}" if unit == "ratio" else f"{value:,.0f}"
        print(f"  {what:<50} {figure:>12} {unit}")


if __name__ == "__main__":
    main()
