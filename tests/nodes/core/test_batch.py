"""The batch node: sequences by count (with overlap), by time interval, and by concatenation."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.registry import Registry, default_registry
from flowrt.registry.spec import spec_for
from flowrt.testing import run_flow
from tests.run.conftest import SETTLED, Numbers


def batch_flow(options: str = "") -> str:
    return f"flowrt: 1\nnodes:\n  b: {{type: batch{', ' + options if options else ''}}}\n"


def sequences(sent: list[dict[str, Any]]) -> list[list[Any]]:
    """The payloads sent, grouped by parts.id, checking index and count on the way."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for msg in sent:
        groups.setdefault(msg["parts"]["id"], []).append(msg)
    for group in groups.values():
        assert [m["parts"]["index"] for m in group] == list(range(len(group)))
        assert {m["parts"]["count"] for m in group} == {len(group)}
    return [[m["payload"] for m in group] for group in groups.values()]


@pytest.mark.parametrize(
    ("options", "count", "expected"),
    [
        ("count: 3", 7, [[0, 1, 2], [3, 4, 5]]),
        ("count: 3, overlap: 1", 6, [[0, 1, 2], [2, 3, 4]]),
        ("count: 2, overlap: 1", 4, [[0, 1], [1, 2], [2, 3]]),
        ("count: 1", 2, [[0], [1]]),
    ],
)
def test_count_mode(options: str, count: int, expected: list[list[int]]) -> None:
    inputs = [{"payload": n, "topic": "t"} for n in range(count)]
    result = run_flow(batch_flow(options), inputs=inputs, until=1)
    assert sequences(result.sent("b")) == expected
    assert all(m["topic"] == "t" for m in result.sent("b"))


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ("count: 4, honour_parts: true", [[0, 1, 2, 3], [4, 5], [6, 7, 8]]),
        ("count: 4, overlap: 1, honour_parts: true", [[0, 1, 2, 3], [3, 4, 5], [5, 6, 7, 8]]),
        ("count: 4", [[0, 1, 2, 3], [4, 5, 6, 7]]),  # parts are not honoured by default
    ],
)
def test_honour_parts_ends_a_sequence_at_the_end_of_an_incoming_one(
    options: str, expected: list[list[int]]
) -> None:
    inputs = [{"payload": n, "parts": {"id": "a", "index": n, "count": 6}} for n in range(6)]
    inputs += [{"payload": n} for n in (6, 7)]
    inputs += [{"payload": 8, "parts": {"index": 0, "count": 1}}]  # a sequence of one
    inputs += [{"payload": 9, "parts": {"index": "0", "count": 1}}]  # not a number: no end
    result = run_flow(batch_flow(options), inputs=inputs, until=1)
    assert sequences(result.sent("b")) == expected


def test_a_sequence_is_named_after_its_first_message_and_keeps_other_parts_keys() -> None:
    inputs = [{"payload": 0, "_msgid": "first", "parts": {"type": "array"}}, {"payload": 1}]
    result = run_flow(batch_flow("count: 2"), inputs=inputs)
    assert [m["parts"] for m in result.sent("b")] == [
        {"type": "array", "id": "first", "index": 0, "count": 2},
        {"id": "first", "index": 1, "count": 2},
    ]


def test_reset_drops_what_is_kept() -> None:
    inputs = [{"payload": 1}, {"reset": True}, {"payload": 2}, {"payload": 3}]
    result = run_flow(batch_flow("count: 2"), inputs=inputs)
    assert sequences(result.sent("b")) == [[2, 3]]


@pytest.mark.parametrize(
    ("until", "expected"),
    [(9.9, []), (10.1, [[1, 2]]), (29.9, [[1, 2]]), (30.1, [[1, 2], [3]]), (None, [[1, 2], [3]])],
)
def test_interval_mode_counts_intervals_from_the_start(
    until: float | None, expected: list[list[int]]
) -> None:
    inputs = [(1, {"payload": 1}), (2, {"payload": 2}), (25, {"payload": 3})]
    result = run_flow(batch_flow("mode: interval, interval: 10"), inputs=inputs, until=until)
    assert sequences(result.sent("b")) == expected


def test_interval_mode_may_send_empty_messages() -> None:
    inputs = [(12, {"payload": "x"})]
    options = "mode: interval, interval: 10, send_empty: true"
    result = run_flow(batch_flow(options), inputs=inputs, until=35)
    assert sequences(result.sent("b")) == [[None], ["x"], [None]]


def concat_flow() -> str:
    return batch_flow("mode: concat, topics: [a, b]")


def seq(topic: str, sequence: str, payloads: list[Any]) -> list[dict[str, Any]]:
    count = len(payloads)
    return [
        {"topic": topic, "payload": p, "parts": {"id": sequence, "index": i, "count": count}}
        for i, p in enumerate(payloads)
    ]


def test_concat_mode_joins_one_sequence_of_each_topic_in_topic_order() -> None:
    inputs = [
        *seq("b", "B1", ["b1", "b2"]),
        *seq("other", "X", ["ignored"]),
        *seq("b", "B2", ["b3"]),
        *seq("a", "A1", ["a1"]),
        *seq("a", "A2", ["a2", "a3"]),
    ]
    result = run_flow(concat_flow(), inputs=inputs)
    assert sequences(result.sent("b")) == [["a1", "b1", "b2"], ["a2", "a3", "b3"]]


def test_concat_mode_waits_for_complete_sequences() -> None:
    inputs = [*seq("a", "A", ["a1"]), *seq("b", "B", ["b1", "b2"])[:1]]
    result = run_flow(concat_flow(), inputs=inputs, until=1)
    assert result.sent("b") == []


def test_concat_mode_needs_parts() -> None:
    result = run_flow(concat_flow(), inputs=[{"topic": "a", "payload": 1}])
    assert [e.node for e in result.errors] == ["b"]


def test_too_many_kept_messages_are_dropped_with_an_error() -> None:
    inputs = [{"payload": n} for n in range(5)]
    result = run_flow(batch_flow("count: 10, max_messages: 3"), inputs=inputs, until=1)
    assert [e.msg["payload"] for e in result.errors] == [3]
    assert result.sent("b") == []


def test_sent_messages_are_acknowledged_and_kept_ones_given_back_at_shutdown() -> None:
    registry = Registry([*default_registry(), spec_for(Numbers, "test")])
    flow = """
flowrt: 1
nodes:
  numbers: {type: numbers, count: 5, to: b}
  b: {type: batch, count: 2}
"""
    SETTLED.clear()
    result = run_flow(flow, registry=registry, until=1)
    assert len(result.sent("b")) == 4
    assert sorted(SETTLED["numbers"], key=lambda s: s[1]) == [
        ("ack", 0),
        ("ack", 1),
        ("ack", 2),
        ("ack", 3),
        ("nack", 4),
    ]


@pytest.mark.parametrize(
    "options",
    ["count: 2, overlap: 2", "count: 0", "mode: concat", "mode: interval, interval: 0"],
)
def test_inconsistent_configuration_is_refused(options: str) -> None:
    with pytest.raises(CheckError):
        run_flow(batch_flow(options))


def test_interval_mode_paces_a_flood_instead_of_dropping_it() -> None:
    """A source faster than the intervals waits while the batch holds over half of
    `max_messages`: every message arrives, in smaller sequences, and none fails."""
    from tests.nodes.core.stamp import timing_registry

    flow = """
flowrt: 1
nodes:
  numbers: {type: numbers, count: 50, ack: false, to: b}
  b: {type: batch, mode: interval, interval: 1, max_messages: 10, to: out}
  out: {type: stamp}
"""
    result = run_flow(flow, registry=timing_registry(), until=30)
    assert result.errors == []
    sent = result.sent("out")
    assert [m["payload"] for m in sent] == list(range(50))
    assert max(m["parts"]["count"] for m in sent) == 6  # paced over 5 held
