"""The switch node, through the real engine: rules, JavaScript-style coercion, else, sequences."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow


class Msg(dict[str, Any]):
    """A whole message in an input list (other items are payloads)."""


NO_PAYLOAD = Msg(topic="no payload")


def switch(rules: list[Any], inputs: list[Any], **options: Any) -> list[list[Any]]:
    """Payloads sent on each output of a switch with ``rules`` fed ``inputs``."""
    node = {"type": "switch", "rules": rules, **options}
    flow = json.dumps({"flowrt": 1, "nodes": {"sw": node}})
    msgs = [dict(i) if isinstance(i, Msg) else {"payload": i} for i in inputs]
    result = run_flow(flow, inputs=msgs)
    assert result.errors == []
    return [result.payloads("sw", port) for port in range(len(rules))]


@pytest.mark.parametrize(
    ("rule", "inputs", "matched"),
    [
        ({"eq": 5}, [5, 5.0, "5", " 5 ", 6, "five", None, True], [5, 5.0, "5", " 5 "]),
        ({"eq": "a"}, ["a", "A", 1], ["a"]),
        ({"eq": 1}, [True, False, "1", [1]], [True, "1", [1]]),
        ({"eq": None}, [None, 0, "", "x"], [None]),
        ({"neq": 5}, [5, "5", 6, "x"], [6, "x"]),
        ({"lt": 5}, [4, "4", 5, "abc", None, -1.5], [4, "4", None, -1.5]),
        ({"lte": 5}, [5, "5", 6], [5, "5"]),
        ({"gt": 5}, [7, "7", "10", 5, "x", True, [9]], [7, "7", "10", [9]]),
        ({"gt": "5"}, ["7", "10", 7], ["7", 7]),
        ({"gte": 5}, [5, 4.9, "5.0"], [5, "5.0"]),
        ({"between": [1, 10]}, [1, 5, 10, 11, 0, "3"], [1, 5, 10, "3"]),
        ({"between": [10, 1]}, [1, 5, 11], [1, 5]),
        ({"contains": "ell"}, ["hello", "help", 123], ["hello"]),
        ({"contains": 2}, [123, "x2", 45], [123, "x2"]),
        ({"regex": "^ab+c$"}, ["abbc", "ABC", "xabc"], ["abbc"]),
        ({"regex": "^ab+c$", "ignore_case": True}, ["abbc", "ABC"], ["abbc", "ABC"]),
        ({"regex": "^1"}, [12, 21], [12]),
        ({"regex": "^\\d+$"}, ["12\n", "\u0661", "x"], ["12\n", "\u0661"]),
        ({"regex": "^\\d+$", "syntax": "javascript"}, ["12", "12\n", "\u0661"], ["12"]),
        ({"regex": "a.c", "syntax": "javascript", "ignore_case": True}, ["A\rC", "AbC"], ["AbC"]),
        ({"is": True}, [True, 1, "true"], [True]),
        ({"is": False}, [False, 0, ""], [False]),
        ({"is": None}, [None, 0, NO_PAYLOAD], [None, None]),
        ({"is": "not null"}, [None, 0, ""], [0, ""]),
        ({"is": "empty"}, ["", [], {}, "x", 0, None], ["", [], {}]),
        ({"is": "not empty"}, ["", "x", [1], {"a": 1}, 0], ["x", [1], {"a": 1}]),
        ({"is_type": "string"}, ["a", 1, None], ["a"]),
        ({"is_type": "number"}, [1, 1.5, True, "1"], [1, 1.5]),
        ({"is_type": "boolean"}, [True, 0], [True]),
        ({"is_type": "array"}, [[1], {}, "[]"], [[1]]),
        ({"is_type": "object"}, [{}, [], None], [{}]),
        ({"is_type": "json"}, ['{"a": 1}', "{bad", 5, {}], ['{"a": 1}', 5]),
        ({"is_type": "null"}, [None, 0], [None]),
        ({"is_type": "undefined"}, [NO_PAYLOAD, None], [None]),
        ({"has_key": "a"}, [{"a": 1}, {"b": 1}, "a", None], [{"a": 1}]),
        ({"jsonata": "payload.x > 1"}, [{"x": 2}, {"x": 1}, 5], [{"x": 2}]),
        ({"eq": {"type": "msg", "value": "topic"}}, [Msg(payload="t", topic="t"), "x"], ["t"]),
        ({"gt": {"type": "jsonata", "value": "2 * 2"}}, [5, 4], [5]),
    ],
)
def test_rule(rule: dict[str, Any], inputs: list[Any], matched: list[Any]) -> None:
    assert switch([rule], inputs)[0] == matched


def test_missing_property_is_undefined() -> None:
    # a message without payload: only "is null" and "is_type undefined" match
    rules = [{"is": None}, {"is_type": "undefined"}, {"eq": 0}, {"neq": 0}]
    assert switch(rules, [NO_PAYLOAD]) == [[None], [None], [], [None]]


@pytest.mark.parametrize(
    ("rules", "check", "inputs", "ports"),
    [
        ([{"gt": 5}, {"gt": 1}, {"else": True}], "all", [7, 3, 0], [[7], [7, 3], [0]]),
        ([{"gt": 5}, {"gt": 1}, {"else": True}], "first", [7, 3, 0], [[7], [3], [0]]),
        ([{"else": True}, {"gt": 0}], "all", [1, 0], [[1, 0], [1]]),
        (
            [{"gt": 5}, {"else": True}, {"lt": 0}, {"else": True}],
            "all",
            [7, -1, 3],
            [[7], [-1, 3], [-1], [7]],  # an else that matched counts as a match
        ),
    ],
)
def test_else_and_check_mode(
    rules: list[Any], check: str, inputs: list[Any], ports: list[list[Any]]
) -> None:
    assert switch(rules, inputs, check=check) == ports


def test_property_path_and_typed_property() -> None:
    assert switch([{"gt": 5}], [{"a": 9}, {"a": 1}], property="payload.a")[0] == [{"a": 9}]
    assert switch([{"eq": 1}], [Msg(payload=0, topic=1)], property="topic")[0] == [0]
    flow = """
flowrt: 1
env: {LEVEL: high}
nodes:
  sw:
    type: switch
    property: {type: env, value: LEVEL}
    rules: [{eq: high}, {eq: low}]
  sum:
    type: switch
    property: {type: jsonata, value: "payload.a + payload.b"}
    rules: [{between: [3, 4]}]
"""
    result = run_flow(flow, inputs=[{"payload": {"a": 1, "b": 2}}])
    assert len(result.sent("sw", 0)) == 1 and result.sent("sw", 1) == []
    assert result.payloads("sum") == [{"a": 1, "b": 2}]


def sequence(n: int) -> list[Any]:
    return [Msg(payload=i, parts={"id": "s", "index": i, "count": n}) for i in range(n)]


@pytest.mark.parametrize(
    ("rule", "matched"),
    [
        ({"head": 2}, [0, 1]),
        ({"tail": 2}, [3, 4]),
        ({"index_between": [1, 3]}, [1, 2, 3]),
        ({"jsonata": "$I = $N - 1"}, [4]),
    ],
)
def test_sequence_rules(rule: dict[str, Any], matched: list[int]) -> None:
    assert switch([rule], sequence(5))[0] == matched


def test_sequence_rule_without_parts_is_an_error() -> None:
    flow = json.dumps({"flowrt": 1, "nodes": {"sw": {"type": "switch", "rules": [{"tail": 1}]}}})
    result = run_flow(flow, inputs=[{"payload": 1}])
    assert result.sent("sw") == []
    assert len(result.errors) == 1 and "msg.parts" in result.errors[0].message


def test_messages_are_sent_unchanged_on_every_matching_port() -> None:
    result = run_flow(
        json.dumps(
            {"flowrt": 1, "nodes": {"sw": {"type": "switch", "rules": [{"gt": 1}, {"gt": 2}]}}}
        ),
        inputs=[{"payload": 3, "topic": "t"}],
    )
    first, second = result.sent("sw", 0), result.sent("sw", 1)
    assert first[0]["topic"] == second[0]["topic"] == "t"
    assert first[0]["_msgid"] == second[0]["_msgid"]


@pytest.mark.parametrize(
    ("rules", "error"),
    [
        ([{"gtt": 5}], "did you mean 'gt'"),
        ([{"gt": 1, "lt": 3}], "one operator"),
        ([{"regex": "(a"}], "invalid regular expression"),
        ([{"eq": 1, "ignore_case": True}], "regex"),
        ([{"eq": 1, "syntax": "javascript"}], "'regex' is a dependency of 'syntax'"),
        ([{"regex": "[^]", "syntax": "python"}], "invalid regular expression"),
        ([{"regex": "a{2,1}", "syntax": "javascript"}], "invalid JavaScript regular expression"),
        ([{"between": [1]}], "at least 2"),
        ([{"eq": {"unit": "C"}}], "unknown field 'unit'"),
        ([{"eq": {"type": "num", "value": "abc"}}], "must be a number"),
        ([{"is": "maybe"}], "must be one of"),
        ([{"jsonata": "payload +"}], "invalid JSONata"),
        ([], "at least 1"),
    ],
)
def test_invalid_rules_fail_at_load(rules: list[Any], error: str) -> None:
    flow = json.dumps({"flowrt": 1, "nodes": {"sw": {"type": "switch", "rules": rules}}})
    with pytest.raises(CheckError, match=error):
        run_flow(flow, inputs=[])


def test_invalid_property_fails_at_load() -> None:
    for prop in ["payload..a", {"type": "num", "value": 1}]:
        node = {"type": "switch", "property": prop, "rules": [{"else": True}]}
        with pytest.raises(CheckError, match="property"):
            run_flow(json.dumps({"flowrt": 1, "nodes": {"sw": node}}), inputs=[])


def test_nested_reference_in_property_and_operand() -> None:
    flow = json.dumps({"flowrt": 1, "nodes": {"sw": {
        "type": "switch", "property": "payload[msg.topic]",
        "rules": [{"eq": {"type": "msg", "value": "payload[msg.other]"}}]}}})
    inputs = [{"topic": "a", "other": "b", "payload": {"a": 1, "b": 1}},
              {"topic": "a", "other": "b", "payload": {"a": 1, "b": 2}}]
    result = run_flow(flow, inputs=inputs)
    assert result.errors == []
    assert result.payloads("sw") == [{"a": 1, "b": 1}]


def test_nested_reference_to_an_object_is_the_nodes_error() -> None:
    flow = json.dumps({"flowrt": 1, "nodes": {"sw": {
        "type": "switch", "property": "payload[msg.topic]", "rules": [{"eq": 1}]}}})
    result = run_flow(flow, inputs=[{"topic": {"x": 1}, "payload": {}}])
    assert result.sent("sw") == []
    [error] = result.errors
    assert error.node == "sw" and "[msg.topic]" in error.message and "object" in error.message


def test_compare_with_the_previous_value() -> None:
    rising = switch([{"gt": {"type": "prev"}}], [1, 0, -2, 2, 2, 3])
    assert rising == [[1, 2, 3]]  # 1 > null (0), as in JavaScript
    near = switch([{"between": [{"type": "prev"}, 10]}, {"eq": {"type": "prev"}}],
                  [0, 20, 5, 5, NO_PAYLOAD, 5])
    # 0 is between null (0) and 10; 5 is not between 20 and 10 but is between 5 and 10; the
    # message without payload makes the previous value undefined, which nothing is between
    assert near == [[0, 5], [5]]


def test_previous_value_is_the_property_even_when_no_rule_matched() -> None:
    flow = json.dumps({"flowrt": 1, "nodes": {"sw": {
        "type": "switch", "property": "payload.v", "check": "first",
        "rules": [{"eq": 99}, {"neq": {"type": "prev"}}]}}})
    result = run_flow(flow, inputs=[{"payload": {"v": v}} for v in (1, 1, 99, 99, 2)])
    assert [p["v"] for p in result.payloads("sw", 1)] == [1, 2]


def test_previous_is_refused_where_no_comparison_takes_it() -> None:
    flow = json.dumps({"flowrt": 1, "nodes": {"sw": {
        "type": "switch", "rules": [{"head": {"type": "prev"}}]}}})
    with pytest.raises(CheckError, match="prev"):
        run_flow(flow, inputs=[])


def test_previous_object_is_a_copy_taken_when_tested() -> None:
    flow = """
flowrt: 1
nodes:
  sw:
    type: switch
    property: payload
    rules:
      - neq: {type: prev}
    to: {0: grow}
  grow:
    type: change
    rules:
      - set: payload.seen
        to: true
"""
    # the change node changes the payload after the switch tested it; the switch's previous
    # value stays what it tested ({"a": 1}: objects compare by content), so the second equal
    # payload is held back (had it kept the object, {"a": 1, "seen": true} would differ)
    result = run_flow(flow, inputs=[{"payload": {"a": 1}}, {"payload": {"a": 1}}])
    assert result.errors == []
    assert result.payloads("grow") == [{"a": 1, "seen": True}]
