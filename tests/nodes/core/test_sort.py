"""The sort node: an array in a message, or the messages of a sequence."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow


def sort_flow(options: str = "") -> str:
    return f"flowrt: 1\nnodes:\n  s: {{type: sort{', ' + options if options else ''}}}\n"


@pytest.mark.parametrize(
    ("options", "payload", "expected"),
    [
        ("", [3, 1, 2], [1, 2, 3]),
        ("order: descending", [3, 1, 2], [3, 2, 1]),
        ("", ["b", "a", "C"], ["C", "a", "b"]),
        ("", ["10", "9", "100"], ["10", "100", "9"]),
        ("numeric: true", ["10", "9", "100"], ["9", "10", "100"]),
        ("numeric: true, order: descending", [2, "10", 3.5], ["10", 3.5, 2]),
        (
            "key: v",
            [{"v": 2, "n": "a"}, {"v": 1, "n": "b"}],
            [{"v": 1, "n": "b"}, {"v": 2, "n": "a"}],
        ),
        (
            "key_expression: '$length(name)'",
            [{"name": "ccc"}, {"name": "a"}, {"name": "bb"}],
            [{"name": "a"}, {"name": "bb"}, {"name": "ccc"}],
        ),
        # stable: equal keys keep their order
        (
            "key: k",
            [{"k": 1, "i": 0}, {"k": 0, "i": 1}, {"k": 1, "i": 2}],
            [{"k": 0, "i": 1}, {"k": 1, "i": 0}, {"k": 1, "i": 2}],
        ),
        ("", [], []),
    ],
)
def test_sorts_an_array(options: str, payload: list[Any], expected: list[Any]) -> None:
    result = run_flow(sort_flow(options), inputs=[{"payload": payload, "topic": "t"}])
    assert [(m["payload"], m["topic"]) for m in result.sent("s")] == [(expected, "t")]
    assert result.errors == []


def test_sorts_the_configured_property_and_drops_messages_without_an_array() -> None:
    inputs = [{"payload": {"list": [2, 1]}}, {"payload": {"list": "no"}}, {"payload": 5}]
    result = run_flow(sort_flow("property: payload.list"), inputs=inputs)
    assert result.payloads("s") == [{"list": [1, 2]}]


def test_values_that_cannot_be_compared_are_an_error() -> None:
    result = run_flow(sort_flow(), inputs=[{"payload": [1, "a", None]}])
    assert result.sent("s") == []
    assert [e.node for e in result.errors] == ["s"]


def sequence_flow(options: str = "") -> str:
    return f"""
flowrt: 1
nodes:
  split: {{type: split, to: s}}
  s: {{type: sort, mode: sequence{", " + options if options else ""}, to: join}}
  join: {{type: join}}
"""


@pytest.mark.parametrize(
    ("options", "payload", "expected"),
    [
        ("", [5, 3, 9, 1], [1, 3, 5, 9]),
        ("order: descending", [5, 3, 9, 1], [9, 5, 3, 1]),
        ("key: topic", [5, 3], [5, 3]),
        ("key_expression: '-payload'", [5, 3, 9], [9, 5, 3]),
        ("numeric: true", ["10", "9"], ["9", "10"]),
    ],
)
def test_sorts_a_sequence(options: str, payload: list[Any], expected: list[Any]) -> None:
    result = run_flow(sequence_flow(options), inputs=[{"payload": payload}])
    sent = result.sent("s")
    assert [m["payload"] for m in sent] == expected
    assert [m["parts"]["index"] for m in sent] == list(range(len(expected)))
    assert result.payloads("join") == [expected]


def test_a_sequence_is_sent_once_complete_and_sequences_stay_apart() -> None:
    def part(seq: str, index: int, payload: int, count: int | None = None) -> dict[str, Any]:
        parts: dict[str, Any] = {"id": seq, "index": index}
        if count is not None:
            parts["count"] = count
        return {"payload": payload, "parts": parts}

    inputs = [
        part("A", 0, 3),
        part("B", 0, 2, 2),
        part("A", 1, 1),
        part("A", 2, 2, 3),
        part("B", 1, 1),
    ]
    result = run_flow(sort_flow("mode: sequence"), inputs=inputs)
    assert [(m["parts"]["id"], m["payload"]) for m in result.sent("s")] == [
        ("A", 1),
        ("A", 2),
        ("A", 3),
        ("B", 1),
        ("B", 2),
    ]


def test_messages_without_parts_are_dropped_with_a_warning() -> None:
    result = run_flow(sort_flow("mode: sequence"), inputs=[{"payload": 1}])
    assert result.sent("s") == []
    assert [node for node, _ in result.warnings] == ["s"]


def test_the_oldest_incomplete_sequence_is_dropped_past_the_limit() -> None:
    inputs = [
        {"payload": p, "parts": {"id": s, "index": i, "count": 2}}
        for s, i, p in [("A", 0, 1), ("B", 0, 2), ("C", 0, 5), ("B", 1, 1)]
    ]
    result = run_flow(sort_flow("mode: sequence, max_messages: 2"), inputs=inputs, until=1)
    assert [(e.node, e.msg["parts"]["id"]) for e in result.errors] == [("s", "A")]
    assert [(m["parts"]["id"], m["payload"]) for m in result.sent("s")] == [("B", 1), ("B", 2)]


@pytest.mark.parametrize(
    "options",
    ["key: a, key_expression: b", "key_expression: '$x('", "key: 'a..b'", "order: up"],
)
def test_inconsistent_configuration_is_refused(options: str) -> None:
    with pytest.raises(CheckError):
        run_flow(sort_flow(options))
