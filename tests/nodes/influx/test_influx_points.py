"""Messages to points: every payload form, tags, measurements, timestamps and precisions, and
the bad payloads that fail with a reason (no server needed: this is the mapping alone)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from flowrt_nodes.influx.influx_points import (
    NS_PER,
    PointError,
    PointMapper,
    Precision,
    to_stamp,
)
from hypothesis import given, settings
from hypothesis import strategies as st

NOW = 1_700_000_000_000
NOW_NS = NOW * 1_000_000
"""What the writer's ``now()`` gives: lines carry nanoseconds."""
T0 = "2023-11-14T22:13:20Z"  # 1_700_000_000 s


def mapper(
    measurement: str | None = "temp",
    tags: dict[str, Any] | None = None,
    precision: Precision = "ms",
    integer_fields: bool = False,
) -> PointMapper:
    evaluators = {k: (lambda msg, v=v: v(msg) if callable(v) else v)
                  for k, v in (tags or {}).items()}
    return PointMapper(measurement, evaluators, precision, integer_fields)


def lines(msg: dict[str, Any], **options: Any) -> list[str]:
    return [p.line for p in mapper(**options).points(msg, lambda: NOW_NS)]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (21, "temp value=21 1700000000000000000"),
        (21.5, "temp value=21.5 1700000000000000000"),
        ("on", 'temp value="on" 1700000000000000000'),
        (True, "temp value=true 1700000000000000000"),
        ({"a": 1, "b": "x", "c": False}, 'temp a=1,b="x",c=false 1700000000000000000'),
        ([{"a": 1}, {"room": "k"}], "temp,room=k a=1 1700000000000000000"),
        ([{"a": 1}], "temp a=1 1700000000000000000"),
    ],
)
def test_one_point_per_payload_form(payload: Any, expected: str) -> None:
    assert lines({"payload": payload}) == [expected]


def test_whole_numbers_are_floats_unless_integer_fields() -> None:
    msg = {"payload": {"n": 3, "x": 2.5, "ok": True}}
    (floats,) = mapper().points(msg, lambda: NOW_NS)
    assert floats.line == "temp n=3,ok=true,x=2.5 1700000000000000000"
    assert floats.field_types == {"n": "float", "x": "float", "ok": "boolean"}
    (ints,) = mapper(integer_fields=True).points(msg, lambda: NOW_NS)
    assert ints.line == "temp n=3i,ok=true,x=2.5 1700000000000000000"
    assert ints.field_types["n"] == "integer"


def test_integers_beyond_64_bits_are_refused_or_written_as_floats() -> None:
    msg = {"payload": {"big": 2**70}}
    with pytest.raises(PointError) as caught:
        mapper(integer_fields=True).points(msg, lambda: NOW_NS)
    assert "beyond InfluxDB's 64-bit integers" in str(caught.value)
    assert lines(msg) == ["temp big=1.1805916207174113e+21 1700000000000000000"]
    assert lines({"payload": {"n": -(2**63)}}, integer_fields=True)[0].startswith(
        "temp n=-9223372036854775808i"
    )


def test_a_list_of_pairs_is_several_points() -> None:
    msg = {"payload": [[{"v": 1}, {"room": "a"}], [{"v": 2, "time": NOW + 5}, {"room": "b"}]]}
    assert lines(msg) == [
        "temp,room=a v=1 1700000000000000000", "temp,room=b v=2 1700000000005000000"
    ]


def test_a_list_of_point_objects_names_measurements_and_times() -> None:
    msg = {"payload": [
        {"measurement": "hum", "fields": {"v": 40}, "tags": {"room": "a"}, "timestamp": T0},
        {"fields": {"v": 2}},
    ]}
    assert lines(msg) == [
        "hum,room=a v=40 1700000000000000000", "temp v=2 1700000000000000000"
    ]


def test_tags_from_the_node_and_the_message_which_wins() -> None:
    tags = {"site": "plant", "room": "hall", "sensor": lambda msg: msg["topic"], "none": None}
    msg = {"payload": [{"v": 1}, {"room": "k"}], "topic": "s1", "tags": {"floor": 2}}
    assert lines(msg, tags=tags) == [
        "temp,floor=2,room=k,sensor=s1,site=plant v=1 1700000000000000000"
    ]


def test_tag_values_are_written_as_text() -> None:
    msg = {"payload": [{"v": 1}, {"n": 3.0, "f": 2.5, "b": True, "empty": ""}]}
    assert lines(msg) == ["temp,b=true,f=2.5,n=3 v=1 1700000000000000000"]


def test_names_and_values_are_escaped() -> None:
    msg = {"payload": [{"a b": 'say "hi"'}, {"k=1": "x,y z"}], "measurement": "m,1 x"}
    assert lines(msg, measurement=None) == [
        'm\\,1\\ x,k\\=1=x\\,y\\ z a\\ b="say \\"hi\\"" 1700000000000000000'
    ]


def test_measurement_is_the_node_s_else_msg_measurement_else_topic() -> None:
    msg = {"payload": 1, "measurement": "m", "topic": "t"}
    assert lines(msg)[0].startswith("temp ")
    assert lines(msg, measurement=None)[0].startswith("m ")
    assert lines({"payload": 1, "topic": "t"}, measurement=None)[0].startswith("t ")


def test_null_fields_are_left_out() -> None:
    assert lines({"payload": {"a": None, "b": 1}}) == ["temp b=1 1700000000000000000"]


@pytest.mark.parametrize(
    ("precision", "stamp"),
    [("s", 1_700_000_000), ("ms", 1_700_000_000_123), ("us", 1_700_000_000_123_456),
     ("ns", 1_700_000_000_123_456_789)],
)
def test_an_iso_time_in_each_precision(precision: Precision, stamp: int) -> None:
    """Cut to the precision, written in nanoseconds."""
    msg = {"payload": 1, "timestamp": "2023-11-14T22:13:20.123456789Z"}
    assert lines(msg, precision=precision) == [f"temp value=1 {stamp * NS_PER[precision]}"]


def test_number_times_are_in_the_node_s_precision() -> None:
    assert lines({"payload": 1, "timestamp": 1_700_000_000}, precision="s")[0].endswith(
        " 1700000000000000000"
    )
    assert lines({"payload": {"v": 1, "time": 1.7e9 + 0.5}}, precision="s")[0].endswith(
        " 1700000000000000000"
    )
    assert lines({"payload": 1, "timestamp": -5}, precision="us")[0].endswith(" -5000")


def test_time_field_wins_over_msg_timestamp_and_is_not_a_field() -> None:
    msg = {"payload": {"v": 1, "time": NOW + 1}, "timestamp": NOW + 2}
    assert lines(msg) == ["temp v=1 1700000000001000000"]


def test_datetimes_with_and_without_a_zone() -> None:
    naive = datetime(2023, 11, 14, 22, 13, 20, 500000)
    zoned = datetime(2023, 11, 14, 23, 13, 20, tzinfo=timezone(timedelta(hours=1)))
    assert to_stamp(naive, "ms") == NOW + 500
    assert to_stamp(zoned, "s") == 1_700_000_000
    assert to_stamp(datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC), "ns") == NOW * 1_000_000
    assert to_stamp("2023-11-14T23:13:20+01:00", "ms") == NOW


def test_points_without_a_time_get_the_writer_s() -> None:
    assert lines({"payload": {"v": 1}}) == ["temp v=1 1700000000000000000"]


@pytest.mark.parametrize(
    ("msg", "reason"),
    [
        ({"topic": "t"}, "no payload"),
        ({"payload": None}, "no payload"),
        ({"payload": {"a": {"b": 1}}}, "field 'a' is {'b': 1} (dict)"),
        ({"payload": {"a": [1, 2]}}, "field 'a' is [1, 2] (list)"),
        ({"payload": {"a": float("nan")}}, "field 'a' is nan, which InfluxDB cannot store"),
        ({"payload": {"a": None}}, "no fields to write for measurement 'temp'"),
        ({"payload": {}}, "no fields to write"),
        ({"payload": {"": 1}}, "field name '' must be a non-empty text"),
        ({"payload": [1, 2]}, "payload must be [fields] or [fields, tags]"),
        ({"payload": [[{"a": 1}], "x"]}, "payload[1] must be [fields] or [fields, tags]"),
        ({"payload": [{"a": 1}, {"t": {"x": 1}}]}, "tag 't' is {'x': 1}"),
        ({"payload": 1, "tags": "room=k"}, "msg.tags must be an object"),
        ({"payload": 1, "timestamp": "yesterday"}, "'yesterday' is not an ISO 8601 time"),
        ({"payload": 1, "timestamp": True}, "is a boolean"),
        ({"payload": 1, "timestamp": [1]}, "is not a number, an ISO 8601 text or a datetime"),
        ({"payload": b"raw"}, "cannot write a payload of type bytes"),
        ({"payload": [{"a": 1}, {"time": "x"}]}, "a tag may not be named 'time'"),
    ],
)
def test_bad_messages_fail_with_the_reason(msg: dict[str, Any], reason: str) -> None:
    with pytest.raises(PointError) as caught:
        mapper().points(msg, lambda: NOW_NS)
    assert reason in str(caught.value)


@pytest.mark.parametrize(
    ("msg", "reason"),
    [
        ({"payload": 1}, "no measurement: set the node's `measurement`"),
        ({"payload": 1, "topic": 5}, "the measurement must be a text; got 5"),
        ({"payload": 1, "topic": "#hash"}, "may not start with '#'"),
    ],
)
def test_bad_measurements(msg: dict[str, Any], reason: str) -> None:
    with pytest.raises(PointError) as caught:
        mapper(measurement=None).points(msg, lambda: NOW_NS)
    assert reason in str(caught.value)


_texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=6)
_special = st.sampled_from(["a b", "a,b", "a=b", "x\\", '"q"', "t\tn\nr\r", "#h", "é", "0"])
_names = st.one_of(_texts, _special).filter(
    lambda k: not any(c in k for c in "\t\r\n") and not re.search(r"\\(?=[ ,=\\]|$)", k)
)
"""Names and tag values as influxdb-client's Point writes them; tabs, carriage returns (kept
as they are here), newlines and a backslash at the end or before an escaped character (refused
here) are tested apart, against the servers, in test_influx_escaping.py."""
_keys = _names.filter(lambda k: k != "time")
_field_values = st.one_of(
    st.booleans(), st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False), st.one_of(_texts, _special),
)


@settings(max_examples=300, deadline=None)
@given(
    measurement=_names.filter(lambda m: not m.startswith("#")),
    fields=st.dictionaries(_keys, _field_values, min_size=1, max_size=5),
    tags=st.dictionaries(_keys, st.one_of(_names, st.integers(), st.floats(-1e9, 1e9)),
                         max_size=4),
    integer_fields=st.booleans(),
    stamp=st.integers(0, 2**62 // 1_000_000),
)
def test_lines_are_what_influxdb_clients_point_writes(
    measurement: str, fields: dict[str, Any], tags: dict[str, Any], integer_fields: bool,
    stamp: int,
) -> None:
    from influxdb_client.client.write.point import Point

    m = mapper(measurement=measurement, integer_fields=integer_fields)
    (got,) = m.points({"payload": fields, "tags": tags, "timestamp": stamp}, lambda: NOW_NS)
    point = Point(measurement)
    for key, value in fields.items():
        whole = isinstance(value, int) and not isinstance(value, bool)
        point.field(key, float(value) if whole and not integer_fields else value)
    for key, value in tags.items():
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
        if text:
            point.tag(key, text)
    point.time(stamp * 1_000_000, "ns")
    assert got.line == point.to_line_protocol()
