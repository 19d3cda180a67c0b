"""influx-out against real servers: InfluxDB 1.x through the 1.x API, VictoriaMetrics through
the 2.x write API (influxdb-client); rejected points, missing databases, batching, status."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from typing import Any

import httpx

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.testing import FlowResult, Harness, run_flow
from tests.nodes.influx.influx_kit import (
    INFLUX,
    VM,
    influxql,
    rows,
    v1_flow,
    v2_flow,
    vm_export,
)
from tests.support.servers import PrivateServer
from tests.support.waiting import eventually, wait_until

T = 1_700_000_000_000


def out_node(extra: str = "", interval: float = 0.05) -> str:
    return f"  store: {{type: influx-out, connection: tsdb, batch_interval: {interval}{extra}}}\n"


def write(flow: str, msgs: list[dict[str, Any]], env: dict[str, str] | None = None) -> FlowResult:
    return run_flow(flow, msgs, into="store", virtual_time=False, timeout=60, env=env)


def errors_by_msgid(result: FlowResult) -> dict[str, str]:
    return {e.msgid: e.message for e in result.errors}


def test_v1_write_fields_tags_and_times(database: str) -> None:
    flow = v1_flow(database, out_node(", measurement: temp, tags: {site: plant}"))
    result = write(flow, [
        {"payload": 21, "topic": "ignored", "timestamp": T},
        {"payload": [{"value": 22.5, "ok": True}, {"room": "hall"}], "timestamp": T + 1},
        {"payload": {"value": 23, "note": "warm", "time": "2023-11-14T22:13:20.002Z"}},
    ])
    assert not result.errors, result.errors
    found = rows(INFLUX, database, 'SELECT * FROM "temp"')
    assert found == [
        {"time": T, "note": None, "ok": None, "room": None, "site": "plant", "value": 21},
        {"time": T + 1, "note": None, "ok": True, "room": "hall", "site": "plant", "value": 22.5},
        {"time": T + 2, "note": "warm", "ok": None, "room": None, "site": "plant", "value": 23},
    ]
    assert ("store", {"fill": "green", "shape": "dot", "text": "connected"}) in result.statuses


def test_v1_precision_seconds_and_a_retention_policy_target(database: str) -> None:
    target = f", measurement: m, precision: s, bucket: {database}/autogen"
    flow = v1_flow(database, out_node(target))
    result = write(flow, [{"payload": 1, "timestamp": 1_700_000_000}])
    assert not result.errors, result.errors
    assert rows(INFLUX, database, "SELECT * FROM m") == [{"time": T, "value": 1}]


def test_points_without_a_time_get_distinct_times_per_batch(database: str) -> None:
    flow = v1_flow(database, out_node(", measurement: m, precision: ns"))
    result = write(flow, [{"payload": i, "tags": {"i": str(i)}} for i in range(3)])
    assert not result.errors, result.errors
    found = rows(INFLUX, database, "SELECT * FROM m")
    assert sorted(r["value"] for r in found) == [0, 1, 2]
    assert all(r["time"] > T for r in found)


def test_v2_write_to_victoria_metrics(measurement: str) -> None:
    flow = v2_flow(out_node(", tags: {site: plant}"))
    msgs = [{"payload": {"value": i * 1.5, "count": i}, "measurement": measurement,
             "tags": {"i": str(i)}, "timestamp": T + i} for i in range(5)]
    result = write(flow, msgs, env={"INFLUX_TOKEN": "secret-token"})
    assert not result.errors, result.errors
    series = wait_until(lambda: len(vm_export_named(measurement, "value")) == 5 and
                        vm_export_named(measurement, "value"), "5 points on VictoriaMetrics")
    by_i = {int(s["metric"]["i"]): s for s in series}
    assert sorted(by_i) == [0, 1, 2, 3, 4]
    for i, s in by_i.items():
        assert s["metric"]["site"] == "plant"
        assert s["values"] == [i * 1.5] and s["timestamps"] == [T + i]
    counts = vm_export_named(measurement, "count")
    assert sorted(s["values"][0] for s in counts) == [0, 1, 2, 3, 4]


def vm_export_named(measurement: str, field: str) -> list[dict[str, Any]]:
    return vm_export(VM, f'{{__name__="{measurement}_{field}"}}')


def test_a_rejected_point_fails_only_its_message(database: str) -> None:
    flow = v1_flow(database, out_node(", measurement: m, integer_fields: true"))
    write(flow, [{"payload": 1, "timestamp": T}])  # the field is an integer from now on
    msgs = [{"payload": i, "timestamp": T + i, "_msgid": f"m{i}"} for i in range(1, 6)]
    msgs[2]["payload"] = "three"
    result = write(flow, msgs)
    assert list(errors_by_msgid(result)) == ["m3"]
    reason = errors_by_msgid(result)["m3"]
    assert "InfluxDB at 127.0.0.1:" in reason and "rejected this message's points" in reason
    assert 'field type conflict: input field "value" on measurement "m" is type string' in reason
    assert result.errors[0].node == "store"
    found = rows(INFLUX, database, "SELECT * FROM m")
    assert [r["value"] for r in found] == [1, 1, 2, 4, 5]
    assert result.runtime is not None
    assert result.runtime.nodes["store"].stats() == {"writes": 1, "points": 4}  # type: ignore[attr-defined]


def test_several_conflicts_in_a_batch_are_narrowed_down(database: str) -> None:
    """1.x names one conflict of several: the batch is split until each culprit stands alone."""
    flow = v1_flow(database, out_node(", measurement: m"))
    write(flow, [{"payload": {"a": 1.0, "b": 1.0}, "timestamp": T}])
    msgs = [{"payload": {"a": float(i), "b": float(i)}, "timestamp": T + i, "_msgid": f"m{i}"}
            for i in range(1, 9)]
    msgs[1]["payload"] = {"a": "two", "b": 2.0}
    msgs[5]["payload"] = {"a": 6.0, "b": True}
    result = write(flow, msgs)
    errors = errors_by_msgid(result)
    assert sorted(errors) == ["m2", "m6"]
    assert 'input field "a" on measurement "m" is type string' in errors["m2"]
    assert 'input field "b" on measurement "m" is type boolean' in errors["m6"]
    found = rows(INFLUX, database, "SELECT a FROM m")
    assert [r["a"] for r in found] == [1, 1, 3, 4, 5, 7, 8]  # a point is refused whole


def test_bad_payloads_fail_alone_naming_the_node(database: str) -> None:
    flow = v1_flow(database, out_node(", measurement: m"))
    result = write(flow, [
        {"payload": 1, "timestamp": T, "_msgid": "good"},
        {"payload": {"nested": {"x": 1}}, "_msgid": "bad"},
        {"topic": "no payload", "_msgid": "empty"},
    ])
    errors = {e.msgid: e for e in result.errors}
    assert sorted(errors) == ["bad", "empty"]
    assert all(e.node == "store" and e.node_type == "influx-out" for e in errors.values())
    assert "field 'nested' is {'x': 1} (dict)" in errors["bad"].message
    assert rows(INFLUX, database, "SELECT * FROM m") == [{"time": T, "value": 1}]


def test_a_missing_database_says_what_to_do(name: str) -> None:
    result = write(v1_flow(name, out_node(", measurement: m")), [{"payload": 1, "_msgid": "x"}])
    (error,) = result.errors
    assert error.msgid == "x" and error.node == "store"
    assert f"has no database '{name}'" in error.message
    assert f'CREATE DATABASE "{name}"' in error.message
    assert "create_database: true" in error.message


def test_create_database_makes_it_on_the_first_write(name: str) -> None:
    flow = v1_flow(name, out_node(", measurement: m"), conn_extra=", create_database: true")
    try:
        result = write(flow, [{"payload": 7, "timestamp": T}])
        assert not result.errors, result.errors
        assert rows(INFLUX, name, "SELECT * FROM m") == [{"time": T, "value": 7}]
    finally:
        influxql(INFLUX, f'DROP DATABASE "{name}"')


def test_the_2x_api_against_a_1x_server_says_to_set_version_1(name: str) -> None:
    result = write(v2_flow(out_node(", measurement: m"), base=INFLUX), [{"payload": 1}],
                   env={"INFLUX_TOKEN": "t"})
    (error,) = result.errors
    assert "does not serve /api/v2/write" in error.message
    assert "set its `version` to '1'" in error.message


def test_batches_are_one_request_each(database: str) -> None:
    flow = v1_flow(database, out_node(", measurement: m, batch_size: 10", interval=1))
    result = write(flow, [{"payload": i, "timestamp": T + i} for i in range(25)])
    assert not result.errors, result.errors
    assert result.runtime is not None
    stats = result.runtime.nodes["store"].stats()  # type: ignore[attr-defined]
    assert stats == {"writes": math.ceil(25 / 10), "points": 25}
    assert len(rows(INFLUX, database, "SELECT * FROM m")) == 25


def test_a_message_with_several_points_is_written_whole(database: str) -> None:
    flow = v1_flow(database, out_node(", measurement: m"))
    pairs = [[{"v": i}, {"i": str(i)}] for i in range(4)]
    result = write(flow, [{"payload": pairs, "timestamp": T}])
    assert not result.errors, result.errors
    found = rows(INFLUX, database, "SELECT * FROM m GROUP BY i")
    assert sorted((r["i"], r["v"]) for r in found) == [("0", 0), ("1", 1), ("2", 2), ("3", 3)]


def test_a_server_away_holds_the_messages_and_writes_them_when_it_is_back(
    private_influx: Callable[..., PrivateServer],
) -> None:
    """Nothing listens yet: the batch is kept and retried with back-off (status red); once
    the server is up every message is written, and the status turns green."""
    server = private_influx()
    flow = v1_flow("held", out_node(", measurement: m"), base=server.url,
                   conn_extra=", create_database: true")

    async def main() -> FlowResult:
        plan, _ = build_plan(Project(documents=[load_text(flow, "outage.yaml")]))
        async with Harness(plan, virtual_time=False, timeout=120) as harness:
            for i in range(10):
                harness.send("store", {"payload": i, "timestamp": T + i})
            await eventually(lambda: ("red", "disconnected") in fills(harness.result))
            await asyncio.to_thread(server.start)
            await harness.run()
        return harness.result

    result = asyncio.run(main())
    assert not result.errors, result.errors
    assert fills(result)[-1] == ("green", "connected")
    assert [r["value"] for r in rows(server.url, "held", "SELECT * FROM m")] == list(range(10))


def test_points_keep_the_time_they_were_given_while_their_batch_waits_for_the_server(
    private_influx: Callable[..., PrivateServer],
) -> None:
    """Messages without a time get it when they are made into points (the second batch while
    the first one is still being retried): written once the server is back, they carry times
    from before it started, not from when they were finally written."""
    server = private_influx()
    flow = v1_flow("held", out_node(", measurement: m, batch_size: 2, precision: ns"),
                   base=server.url, conn_extra=", create_database: true")

    async def main() -> tuple[FlowResult, int]:
        plan, _ = build_plan(Project(documents=[load_text(flow, "outage.yaml")]))
        async with Harness(plan, virtual_time=False, timeout=120) as harness:
            for i in range(4):
                harness.send("store", {"payload": i})
            await eventually(lambda: ("red", "disconnected") in fills(harness.result))
            await asyncio.sleep(0.3)  # the first batch retried, the second one mapped meanwhile
            before_start = int(time.time() * 1000)
            await asyncio.to_thread(server.start)
            await harness.run()
        return harness.result, before_start

    result, before_start = asyncio.run(main())
    assert not result.errors, result.errors
    found = rows(server.url, "held", "SELECT * FROM m")
    assert sorted(r["value"] for r in found) == [0, 1, 2, 3]
    assert all(r["time"] < before_start for r in found), (found, before_start)


def test_credentials_refused_and_accepted(private_influx: Callable[..., PrivateServer]) -> None:
    server = private_influx(auth=True)
    server.start()
    influxql(server.url, "CREATE USER admin WITH PASSWORD 's3cret' WITH ALL PRIVILEGES")
    httpx.post(f"{server.url}/query", data={"q": "CREATE DATABASE secure"},
               auth=("admin", "s3cret"), timeout=30).raise_for_status()
    flow = v1_flow("secure", out_node(", measurement: m"), base=server.url,
                   conn_extra=", username: admin, password: '${INFLUX_PASSWORD}'")
    refused = write(flow, [{"payload": 1, "timestamp": T}], env={"INFLUX_PASSWORD": "wrong"})
    (error,) = refused.errors
    assert "refused the credentials (401" in error.message
    assert "check the username and password" in error.message
    assert all("wrong" not in text for _, _, text in refused.logs)
    assert ("red", "authentication failed") in fills(refused)
    accepted = write(flow, [{"payload": 2, "timestamp": T}], env={"INFLUX_PASSWORD": "s3cret"})
    assert not accepted.errors, accepted.errors
    answer = httpx.post(f"{server.url}/query", auth=("admin", "s3cret"), timeout=30,
                        data={"db": "secure", "q": "SELECT * FROM m", "epoch": "ms"}).json()
    assert answer["results"][0]["series"][0]["values"] == [[T, 2]]


def fills(result: FlowResult) -> list[tuple[str, str]]:
    return [(s["fill"], s["text"]) for node, s in result.statuses if node == "store"]
