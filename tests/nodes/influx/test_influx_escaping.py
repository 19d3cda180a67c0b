"""Line protocol read back: names, tag values and field values with the characters line
protocol escapes, written by influx-out and read back from InfluxDB 1.x and VictoriaMetrics as
they were given; field types; times in each precision; and what line protocol cannot carry,
refused for its message alone instead of stored changed."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.testing import FlowResult, run_flow
from tests.nodes.influx.influx_kit import INFLUX, VM, influxql, v1_flow, v2_flow, vm_export
from tests.support.waiting import wait_until

T = 1_700_000_000_000
ODD = ["a b", "a,b", "a=b", 'a"b', "a\\b", "a\tb", "a\rb", "é ü", "x=1,y=2 z", "\\a"]
"""Texts with what line protocol escapes (or must leave as it is), inside a name or value."""


def write(flow: str, msgs: list[dict[str, Any]], **env: str) -> FlowResult:
    return run_flow(flow, msgs, into="store", virtual_time=False, timeout=60, env=env)


def node(extra: str = "") -> str:
    return f"  store: {{type: influx-out, connection: tsdb, batch_interval: 0.05{extra}}}\n"


def v1_points(database: str, epoch: str = "ns") -> list[dict[str, Any]]:
    """Every point of the database: measurement, time, tags and fields by name."""
    answer = influxql(INFLUX, "SELECT * FROM /.*/ GROUP BY *", database, epoch=epoch)
    result = answer["results"][0]
    assert "error" not in result, result
    found = []
    for series in result.get("series", []):
        for values in series["values"]:
            row = {k: v for k, v in zip(series["columns"], values, strict=True) if v is not None}
            tags = {k: v for k, v in (series.get("tags") or {}).items() if v}  # GROUP BY * gives
            found.append({"measurement": series["name"], "tags": tags,  # every key, "" unset
                          "time": row.pop("time"), "fields": row})
    return found


def test_names_and_values_read_back_from_influxdb_1x(database: str) -> None:
    msgs = [{"measurement": f"m {text}", "tags": {f"t {text}": text},
             "payload": {f"f {text}": text, "n": i}, "timestamp": T + i}
            for i, text in enumerate(ODD)]
    result = write(v1_flow(database, node()), msgs)
    assert not result.errors, result.errors
    found = sorted(v1_points(database, "ms"), key=lambda p: p["time"])
    assert found == [
        {"measurement": f"m {text}", "tags": {f"t {text}": text}, "time": T + i,
         "fields": {f"f {text}": text, "n": i}}
        for i, text in enumerate(ODD)
    ]


def test_text_fields_keep_newlines_quotes_and_backslashes(database: str) -> None:
    texts = ["line 1\nline 2", 'say "hi"', "ends with \\", "\\", '\\"', "", "tab\there"]
    msgs = [{"payload": {"s": text}, "timestamp": T + i} for i, text in enumerate(texts)]
    result = write(v1_flow(database, node(", measurement: m")), msgs)
    assert not result.errors, result.errors
    found = sorted(v1_points(database, "ms"), key=lambda p: p["time"])
    assert [p["fields"]["s"] for p in found] == texts


def test_field_types_integers_floats_booleans_texts(database: str) -> None:
    msgs = [{"payload": {"i": 3, "f": 2.5, "w": 4.0, "b": True, "s": "3"}, "timestamp": T}]
    ints = write(v1_flow(database, node(", measurement: ints, integer_fields: true")), msgs)
    floats = write(v1_flow(database, node(", measurement: floats")), msgs)
    assert not ints.errors and not floats.errors, (ints.errors, floats.errors)
    types = {
        (series["name"], key): kind
        for series in influxql(INFLUX, "SHOW FIELD KEYS", database)["results"][0]["series"]
        for key, kind in series["values"]
    }
    assert types == {
        ("ints", "i"): "integer", ("ints", "f"): "float", ("ints", "w"): "float",
        ("ints", "b"): "boolean", ("ints", "s"): "string",
        ("floats", "i"): "float", ("floats", "f"): "float", ("floats", "w"): "float",
        ("floats", "b"): "boolean", ("floats", "s"): "string",
    }
    values = {p["measurement"]: p["fields"] for p in v1_points(database)}
    assert values["ints"] == values["floats"] == {"i": 3, "f": 2.5, "w": 4, "b": True, "s": "3"}
    big = 2**62 + 1  # exact as an integer, not as a float
    result = write(v1_flow(database, node(", measurement: big, integer_fields: true")),
                   [{"payload": {"v": big}, "timestamp": T}])
    assert not result.errors, result.errors
    assert [p["fields"] for p in v1_points(database) if p["measurement"] == "big"] == [
        {"v": big}]


@pytest.mark.parametrize(
    ("precision", "stamp"),
    [("s", 1_700_000_000), ("ms", T + 123), ("us", (T + 123) * 1000 + 456),
     ("ns", ((T + 123) * 1000 + 456) * 1000 + 789)],
)
def test_times_in_each_precision(database: str, precision: str, stamp: int) -> None:
    iso = "2023-11-14T22:13:20.123456789Z"
    flow = v1_flow(database, node(f", measurement: m, precision: {precision}"))
    result = write(flow, [{"payload": {"v": 1.0}, "timestamp": stamp, "tags": {"k": "n"}},
                          {"payload": {"v": 2.0}, "timestamp": iso, "tags": {"k": "iso"}}])
    assert not result.errors, result.errors
    unit = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[precision]
    iso_ns = 1_700_000_000_123_456_789 // unit * unit
    times = {p["tags"]["k"]: p["time"] for p in v1_points(database)}
    assert times == {"n": stamp * unit, "iso": iso_ns}


@pytest.mark.parametrize(
    ("msg", "reason"),
    [
        ({"measurement": "m\nx"}, "the measurement 'm\\nx' holds a newline"),
        ({"tags": {"t": "a\nb"}}, "tag 't''s value 'a\\nb' holds a newline"),
        ({"tags": {"t\nu": "a"}}, "the name 't\\nu' holds a newline"),
        ({"payload": {"f\ng": 1}}, "the name 'f\\ng' holds a newline"),
        ({"tags": {"t": "a\\"}}, "tag 't''s value 'a\\\\' has a backslash at its end"),
        ({"tags": {"t": "a\\ b"}}, "tag 't''s value 'a\\\\ b' has a backslash at its end or "
                                    "before a space"),
        ({"tags": {"t": "a\\,b"}}, "value 'a\\\\,b' has a backslash"),
        ({"tags": {"t=\\": "a"}}, "the name 't=\\\\' has a backslash"),
        ({"tags": {"t": "a\\\\b"}}, "or backslash, which line protocol cannot carry"),
        ({"measurement": "m\\"}, "the measurement 'm\\\\' has a backslash"),
        ({"measurement": "m\\ x"}, "the measurement 'm\\\\ x' has a backslash"),
        ({"payload": {"f\\=": 1}}, "the name 'f\\\\=' has a backslash"),
    ],
)
def test_what_line_protocol_cannot_carry_fails_its_message_alone(
    database: str, msg: dict[str, Any], reason: str
) -> None:
    bad = {"measurement": "m", "payload": {"v": 1.0}, "timestamp": T + 1, "_msgid": "bad", **msg}
    good = {"measurement": "m", "payload": {"v": 2.0}, "timestamp": T, "_msgid": "good"}
    result = write(v1_flow(database, node()), [good, bad])
    assert [(e.msgid, e.node) for e in result.errors] == [("bad", "store")]
    assert reason in result.errors[0].message
    assert [(p["measurement"], p["fields"]) for p in v1_points(database)] == [("m", {"v": 2})]


def test_names_and_tag_values_read_back_from_victoria_metrics(measurement: str) -> None:
    """VictoriaMetrics (the 2.x write API) stores each field as the series
    ``measurement_field``, tags as labels; texts are not stored, so this reads numbers."""
    odd = [text for text in ODD if "=" not in text and "," not in text]  # label selectors
    msgs = [{"measurement": measurement, "tags": {"t": text, f"k {i}": text},
             "payload": {f"f{i} x": float(i)}, "timestamp": T + i}
            for i, text in enumerate(odd)]
    result = write(v2_flow(node()), msgs, INFLUX_TOKEN="t")
    assert not result.errors, result.errors

    def stored() -> list[dict[str, Any]]:
        return vm_export(VM, f'{{__name__=~"{measurement}_.*"}}')

    wait_until(lambda: len(stored()) == len(odd), "every series")
    series = stored()
    got = sorted(((s["metric"], s["values"], s["timestamps"]) for s in series),
                 key=lambda s: s[2])
    assert got == [
        ({"__name__": f"{measurement}_f{i} x", "t": text, f"k {i}": text}, [float(i)], [T + i])
        for i, text in enumerate(odd)
    ]
