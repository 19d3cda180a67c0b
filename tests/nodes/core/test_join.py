"""The join node: auto (reversing split), manual builds, reduce, and what it holds."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.registry import Registry, default_registry
from flowrt.registry.spec import spec_for
from flowrt.testing import run_flow
from tests.run.conftest import SETTLED, Numbers


def join_flow(options: str = "") -> str:
    return f"flowrt: 1\nnodes:\n  j: {{type: join{', ' + options if options else ''}}}\n"


def round_trip(split_options: str) -> str:
    return f"""
flowrt: 1
nodes:
  s: {{type: split, {split_options}, to: j}}
  j: {{type: join}}
"""


def strip(msg: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in msg.items() if k != "_msgid"}


@pytest.mark.parametrize(
    ("split_options", "payload"),
    [
        ("separator: '\\n'", "a\nb\n\nc"),
        ("separator: ', '", "x, y"),
        ("length: 2", "abcde"),
        ("separator_bytes: [13, 10]", "one\r\ntwo"),
        ("separator: ';'", b"a;b;c"),
        ("separator_bytes: [0]", b"a\0b"),
        ("length: 2", b"abcde"),
        ("array_length: 1", [1, "two", {"three": 3}]),
        ("array_length: 2", [1, 2, 3, 4, 5]),
        ("array_length: 1", [[1], [2]]),
        ("array_length: 1", {"x": 1, "y": [2], "z": {"k": None}}),
    ],
)
def test_auto_mode_reverses_a_split(split_options: str, payload: Any) -> None:
    result = run_flow(round_trip(split_options), inputs=[{"payload": payload, "topic": "t"}])
    assert [strip(m) for m in result.sent("j")] == [{"payload": payload, "topic": "t"}]
    assert result.errors == []


def test_auto_mode_reverses_nested_splits() -> None:
    flow = """
flowrt: 1
nodes:
  outer: {type: split, to: inner}
  inner: {type: split, separator: ',', to: rejoin}
  rejoin: {type: join, to: again}
  again: {type: join}
"""
    result = run_flow(flow, inputs=[{"payload": ["a,b", "c"]}])
    assert result.payloads("rejoin") == ["a,b", "c"]
    assert [strip(m) for m in result.sent("again")] == [{"payload": ["a,b", "c"]}]


def test_auto_mode_puts_parts_in_index_order_and_keeps_later_properties() -> None:
    parts = [{"id": "s", "index": i, "count": 3, "type": "array"} for i in range(3)]
    inputs = [
        {"payload": "c", "parts": parts[2], "first": True},
        {"payload": "a", "parts": parts[0], "topic": "x"},
        {"payload": "b", "parts": parts[1], "topic": "y"},
    ]
    result = run_flow(join_flow(), inputs=inputs)
    assert [strip(m) for m in result.sent("j")] == [
        {"payload": ["a", "b", "c"], "topic": "y", "first": True}
    ]


def test_auto_mode_keeps_sequences_apart() -> None:
    inputs = [
        {"payload": p, "parts": {"id": s, "index": i, "count": 2, "type": "string", "ch": "-"}}
        for s, i, p in [("A", 0, "a0"), ("B", 0, "b0"), ("B", 1, "b1"), ("A", 1, "a1")]
    ]
    result = run_flow(join_flow(), inputs=inputs)
    assert result.payloads("j") == ["b0-b1", "a0-a1"]


def test_auto_mode_warns_about_messages_without_parts() -> None:
    result = run_flow(join_flow(), inputs=[{"payload": 1}])
    assert result.sent("j") == []
    assert [node for node, _ in result.warnings] == ["j"]


@pytest.mark.parametrize(
    ("options", "inputs", "expected"),
    [
        ("mode: manual, count: 3", [1, 2, 3, 4, 5, 6, 7], [[1, 2, 3], [4, 5, 6]]),
        (
            "mode: manual, build: string, joiner: '+', count: 2",
            ["a", 1, True, None],
            ["a+1", "true+"],
        ),
        ("mode: manual, build: buffer, joiner_bytes: [0], count: 2", [b"a", "b"], [b"a\0b"]),
        ("mode: manual, build: buffer, joiner: '', count: 2", [[104, 105], b"!"], [b"hi!"]),
        (
            "mode: manual, build: merged, count: 3",
            [{"a": 1}, {"b": 2}, {"a": 3, "c": 4}],
            [{"a": 3, "b": 2, "c": 4}],
        ),
    ],
)
def test_manual_builds(options: str, inputs: list[Any], expected: list[Any]) -> None:
    result = run_flow(join_flow(options), inputs=[{"payload": p} for p in inputs], until=1)
    assert result.payloads("j") == expected
    assert result.errors == []


def test_manual_object_counts_keys() -> None:
    inputs = [{"topic": t, "payload": p} for t, p in [("a", 1), ("a", 2), ("b", 3), ("c", 4)]]
    result = run_flow(join_flow("mode: manual, build: object, count: 2"), inputs=inputs, until=1)
    assert [strip(m) for m in result.sent("j")] == [{"topic": "b", "payload": {"a": 2, "b": 3}}]


def test_manual_object_with_another_key_and_whole_messages() -> None:
    inputs = [{"name": "x", "payload": 1}, {"name": "y", "payload": 2}]
    options = "mode: manual, build: object, key: name, whole_message: true, count: 2"
    result = run_flow(join_flow(options), inputs=inputs)
    joined = result.payloads("j")[0]
    assert {k: strip(v) for k, v in joined.items()} == {
        "x": {"name": "x", "payload": 1},
        "y": {"name": "y", "payload": 2},
    }


def test_manual_object_warns_about_messages_without_a_key() -> None:
    result = run_flow(join_flow("mode: manual, build: object"), inputs=[{"payload": 1}])
    assert [node for node, _ in result.warnings] == ["j"]


def test_manual_accumulate_sends_the_object_again_on_each_message() -> None:
    inputs = [{"topic": t, "payload": p} for t, p in [("a", 1), ("b", 2), ("c", 3), ("a", 4)]]
    options = "mode: manual, build: object, count: 2, accumulate: true"
    result = run_flow(join_flow(options), inputs=inputs, until=1)
    assert result.payloads("j") == [
        {"a": 1, "b": 2},
        {"a": 1, "b": 2, "c": 3},
        {"a": 4, "b": 2, "c": 3},
    ]


def test_manual_without_a_count_uses_the_sequence_count() -> None:
    flow = """
flowrt: 1
nodes:
  s: {type: split, to: j}
  j: {type: join, mode: manual, build: string, joiner: '|'}
"""
    result = run_flow(flow, inputs=[{"payload": [1, 2, 3]}, {"payload": ["x"]}])
    assert result.payloads("j") == ["1|2|3", "x"]


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ([{"payload": 1}, {"payload": 2}, {"payload": 3, "complete": True}], [[1, 2, 3]]),
        ([{"payload": 1}, {"complete": True}, {"payload": 2}, {"complete": 1}], [[1], [2]]),
        ([{"payload": 1}, {"reset": True}, {"payload": 2}, {"complete": True}], [[2]]),
    ],
)
def test_complete_and_reset(inputs: list[Any], expected: list[Any]) -> None:
    result = run_flow(join_flow("mode: manual"), inputs=inputs)
    assert result.payloads("j") == expected
    assert all("complete" not in m for m in result.sent("j"))


@pytest.mark.parametrize(
    ("until", "expected"),
    [(4.9, []), (5.1, [[1, 2]]), (11.9, [[1, 2]]), (12.1, [[1, 2], [3]]), (None, [[1, 2], [3]])],
)
def test_timeout_sends_what_was_joined(until: float | None, expected: list[Any]) -> None:
    inputs = [(0, {"payload": 1}), (1, {"payload": 2}), (7, {"payload": 3})]
    result = run_flow(join_flow("mode: manual, timeout: 5"), inputs=inputs, until=until)
    assert result.payloads("j") == expected


def test_restart_timeout() -> None:
    inputs = [(0, {"payload": 1}), (4, {"payload": 2, "restartTimeout": True})]
    early = run_flow(join_flow("mode: manual, timeout: 5"), inputs=inputs, until=8.9)
    assert early.payloads("j") == []
    late = run_flow(join_flow("mode: manual, timeout: 5"), inputs=inputs, until=9.1)
    assert late.payloads("j") == [[1, 2]]


def reduce_flow(split_options: str, options: str) -> str:
    return f"""
flowrt: 1
nodes:
  s: {{type: split, {split_options}, to: j}}
  j: {{type: join, mode: reduce, {options}}}
"""


@pytest.mark.parametrize(
    ("split_options", "options", "payload", "expected"),
    [
        ("array_length: 1", "reduce_expression: $A + payload", [1, 2, 3, 4], 10),
        (
            "array_length: 1",
            "reduce_expression: $A + payload, reduce_fixup: $A / $N",
            [1, 2, 3, 4],
            2.5,
        ),
        ("length: 1", "reduce_expression: $A & payload, reduce_initial: '>'", "abc", ">abc"),
        (
            "length: 1",
            "reduce_expression: $A & payload, reduce_initial: '', reduce_right: true",
            "abc",
            "cba",
        ),
        (
            "array_length: 1",
            "reduce_expression: '$append($A, [[$I, $N]])', reduce_initial: []",
            ["x", "y"],
            [[0, 2], [1, 2]],
        ),
    ],
)
def test_reduce(split_options: str, options: str, payload: Any, expected: Any) -> None:
    result = run_flow(reduce_flow(split_options, options), inputs=[{"payload": payload}])
    assert [strip(m) for m in result.sent("j")] == [{"payload": expected}]
    assert result.errors == []


def test_reduce_passes_messages_without_parts_and_reports_failures() -> None:
    flow = join_flow("mode: reduce, reduce_expression: $A + payload")
    parts = [{"id": "s", "index": i, "count": 2} for i in range(2)]
    inputs = [
        {"payload": "plain"},
        {"payload": 1, "parts": parts[0]},
        {"payload": "x", "parts": parts[1]},
    ]
    result = run_flow(flow, inputs=inputs)
    assert result.payloads("j") == ["plain"]
    assert [e.node for e in result.errors] == ["j"]


def test_too_many_kept_messages_are_dropped_with_an_error() -> None:
    options = "mode: manual, count: 10, max_messages: 3"
    inputs = [{"payload": n} for n in range(5)] + [{"complete": True}]
    result = run_flow(join_flow(options), inputs=inputs)
    assert [e.msg["payload"] for e in result.errors] == [3]
    assert result.payloads("j") == [[4]]


def test_joined_sources_are_acknowledged_and_the_rest_given_back_at_shutdown() -> None:
    registry = Registry([*default_registry(), spec_for(Numbers, "test")])
    flow = """
flowrt: 1
nodes:
  numbers: {type: numbers, count: 5, to: j}
  j: {type: join, mode: manual, count: 2}
"""
    SETTLED.clear()
    result = run_flow(flow, registry=registry, until=1)
    assert result.payloads("j") == [[0, 1], [2, 3]]
    assert sorted(SETTLED["numbers"], key=lambda s: s[1]) == [
        ("ack", 0),
        ("ack", 1),
        ("ack", 2),
        ("ack", 3),
        ("nack", 4),
    ]


@pytest.mark.parametrize(
    "options",
    [
        "mode: reduce",
        "mode: reduce, reduce_expression: '$A +'",
        "mode: manual, build: array, accumulate: true",
        "mode: manual, build: string, whole_message: true",
        "mode: manual, count: 0",
        "mode: manual, timeout: 0",
        "mode: manual, joiner_bytes: [300]",
    ],
)
def test_inconsistent_configuration_is_refused(options: str) -> None:
    with pytest.raises(CheckError):
        run_flow(join_flow(options))
