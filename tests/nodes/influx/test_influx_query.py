"""influx-query: InfluxQL with bound parameters on InfluxDB 1.x (a write and read round trip
through flowrt), errors with the server's reason, and the Flux path as far as a real server
here allows (VictoriaMetrics has no Flux: the error must say so; Flux records become rows)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
from flowrt_nodes.influx.influx_v2 import flux_rows

from flowrt.testing import FlowResult, run_flow
from tests.nodes.influx.influx_kit import INFLUX, VM, v1_flow, v2_flow

T = 1_700_000_000_000
ISO = "2023-11-14T22:13:20Z"


def seed(db: str) -> None:
    lines = "\n".join([
        f"temp,room=hall value=20.5,ok=true {T}",
        f"temp,room=kitchen value=22 {T + 1000}",
        f"temp,room=kitchen value=23 {T + 2000}",
        f"hum,room=hall value=40 {T}",
    ])
    response = httpx.post(f"{INFLUX}/write", params={"db": db, "precision": "ms"}, content=lines)
    assert response.status_code == 204, response.text


def query(db: str, msgs: list[dict[str, Any]], node: str = "") -> FlowResult:
    flow = v1_flow(db, f"  ask: {{type: influx-query, connection: tsdb{node}}}\n")
    return run_flow(flow, msgs, into="ask", virtual_time=False, timeout=60)


def test_write_then_query_with_bound_parameters(database: str) -> None:
    """influx-out writes, influx-query reads back with `$room` bound from the message."""
    flow = v1_flow(database, (
        "  store: {type: influx-out, connection: tsdb, measurement: temp, batch_interval: 0.05}\n"
        "  ask:\n"
        "    type: influx-query\n"
        "    connection: tsdb\n"
        "    query: SELECT value FROM temp WHERE room = $room AND value > $min\n"
        "    params: {room: {type: msg, value: payload.room}, min: 21}\n"
    ))
    stored = run_flow(flow, [
        {"payload": [{"value": 20.0}, {"room": "hall"}], "timestamp": T},
        {"payload": [{"value": 22.0}, {"room": "kitchen"}], "timestamp": T + 1},
        {"payload": [{"value": 25.0}, {"room": "kitchen"}], "timestamp": T + 2},
    ], into="store", virtual_time=False, timeout=60)
    assert not stored.errors, stored.errors
    result = run_flow(flow, [{"payload": {"room": "kitchen"}, "topic": "ask"}], into="ask",
                      virtual_time=False, timeout=60)
    assert not result.errors, result.errors
    (out,) = result.sent("ask")
    assert out["topic"] == "ask"
    assert out["payload"] == [
        {"time": "2023-11-14T22:13:20.001Z", "value": 22, "measurement": "temp"},
        {"time": "2023-11-14T22:13:20.002Z", "value": 25, "measurement": "temp"},
    ]


def test_rows_carry_time_measurement_tags_and_fields(database: str) -> None:
    seed(database)
    msg = {"query": "SELECT * FROM temp WHERE room = $r", "params": {"r": "hall"}}
    result = query(database, [msg])
    assert result.payloads("ask") == [[
        {"time": ISO, "ok": True, "room": "hall", "value": 20.5, "measurement": "temp"},
    ]]


def test_grouped_series_give_their_tags_and_epoch_numbers(database: str) -> None:
    seed(database)
    result = query(database, [{}], node=(
        ", query: 'SELECT max(value) FROM temp WHERE time >= $since GROUP BY room'"
        ", params: {since: '2023-11-14T00:00:00Z'}, epoch: ms"
    ))
    assert not result.errors, result.errors
    (rows,) = result.payloads("ask")
    assert sorted(rows, key=lambda r: r["room"]) == [
        {"time": T, "max": 20.5, "room": "hall", "measurement": "temp"},
        {"time": T + 2000, "max": 23, "room": "kitchen", "measurement": "temp"},
    ]


def test_message_params_win_and_cannot_change_the_query(database: str) -> None:
    seed(database)
    node = ", query: 'SELECT value FROM temp WHERE room = $room', params: {room: hall}"
    result = query(database, [
        {"params": {"room": "kitchen"}},
        {"params": {"room": "x' OR room = 'hall"}},
    ], node=node)
    assert not result.errors, result.errors
    kitchen, injected = result.payloads("ask")
    assert [r["value"] for r in kitchen] == [22, 23]
    assert injected == []


def test_several_statements_give_a_list_per_statement(database: str) -> None:
    seed(database)
    result = query(database, [{"query": "SELECT value FROM hum; SELECT count(value) FROM temp"}])
    assert result.payloads("ask") == [[
        [{"time": ISO, "value": 40, "measurement": "hum"}],
        [{"time": "1970-01-01T00:00:00Z", "count": 3, "measurement": "temp"}],
    ]]


def test_a_refused_query_fails_the_message_with_the_server_s_reason(database: str) -> None:
    result = query(database, [{"query": "SELECT FROM", "_msgid": "q1"}, {"_msgid": "q2"}])
    errors = {e.msgid: e.message for e in result.errors}
    assert "InfluxDB at 127.0.0.1:" in errors["q1"]
    assert "refused the query (400): error parsing query" in errors["q1"]
    assert "no query: set the node's `query`, or msg.query" in errors["q2"]
    assert result.sent("ask") == []


def test_a_missing_database_is_the_server_s_error(name: str) -> None:
    result = query(name, [{"query": "SELECT * FROM m"}])
    (error,) = result.errors
    assert f"database not found: {name}" in error.message


def test_flux_on_a_server_without_flux_says_so() -> None:
    """The 2.x query path reaches a real server: VictoriaMetrics, which has no Flux."""
    flow = v2_flow("  ask: {type: influx-query, connection: tsdb, "
                   "query: 'from(bucket: params.b) |> range(start: -1h)'}\n")
    result = run_flow(flow, [{"params": {"b": "sensors"}}], into="ask", virtual_time=False,
                      timeout=60, env={"INFLUX_TOKEN": "t"})
    (error,) = result.errors
    assert f"InfluxDB at {VM.split('//')[1]} cannot run Flux queries" in error.message


def test_flux_records_become_rows() -> None:
    """influxdb-client's own record type, as its query API returns them."""
    from influxdb_client.client.flux_table import FluxRecord

    when = datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    record = FluxRecord(0, values={
        "result": "_result", "table": 0, "_start": when, "_stop": when, "_time": when,
        "_measurement": "temp", "room": "hall", "_field": "value", "_value": 20.5,
    })
    pivoted = FluxRecord(1, values={"_time": when, "_measurement": "temp", "a": 1, "b": "x"})
    assert flux_rows([[record], [pivoted]], None) == [
        {"time": ISO, "measurement": "temp", "room": "hall", "value": 20.5},
        {"time": ISO, "measurement": "temp", "a": 1, "b": "x"},
    ]
    assert flux_rows([[record]], "s")[0]["time"] == T // 1000
