"""The change node, through the real engine: set, change, delete and move on msg and context."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import FlowResult, run_flow


def change(rules: list[Any], msg: dict[str, Any], env: dict[str, str] | None = None) -> FlowResult:
    flow = json.dumps({"flowrt": 1, "nodes": {"c": {"type": "change", "rules": rules}}})
    return run_flow(flow, inputs=[msg], env=env)


def changed(rules: list[Any], msg: dict[str, Any]) -> dict[str, Any]:
    result = change(rules, msg)
    assert result.errors == [] and result.warnings == []
    [out] = result.sent("c")
    out.pop("_msgid")
    return out


@pytest.mark.parametrize(
    ("rules", "msg", "expected"),
    [
        ([{"set": "payload", "to": 5}], {}, {"payload": 5}),
        ([{"set": "payload.a.b", "to": "x"}], {}, {"payload": {"a": {"b": "x"}}}),
        ([{"set": "payload.list[1]", "to": 1}], {}, {"payload": {"list": [None, 1]}}),
        ([{"set": "payload", "to": None}], {"payload": 1}, {"payload": None}),
        (
            [{"set": "payload", "to": {"type": "json", "value": '{"a": [1]}'}}],
            {},
            {"payload": {"a": [1]}},
        ),
        (
            [{"set": "payload", "to": {"type": "msg", "value": "topic"}}],
            {"topic": "t"},
            {"payload": "t", "topic": "t"},
        ),
        (
            [{"set": "payload", "to": {"type": "msg", "value": "nothing"}}],
            {"payload": 1, "topic": "t"},
            {"topic": "t"},
        ),
        (
            [{"set": "payload", "to": {"type": "jsonata", "value": "$uppercase(topic)"}}],
            {"topic": "abc"},
            {"payload": "ABC", "topic": "abc"},
        ),
        (
            [{"change": "payload", "from": "a", "to": "x"}],
            {"payload": "a-b-a"},
            {"payload": "x-b-x"},
        ),
        ([{"change": "payload", "from": ".", "to": "-"}], {"payload": "a.b"}, {"payload": "a-b"}),
        ([{"change": "payload", "from": "on", "to": True}], {"payload": "on"}, {"payload": True}),
        (
            [{"change": "payload", "from": "on", "to": True}],
            {"payload": "onx"},
            {"payload": "truex"},
        ),
        (
            [{"change": "payload", "from": {"type": "re", "value": "(\\d+)C"}, "to": "$1 deg"}],
            {"payload": "t=21C, 5C"},
            {"payload": "t=21 deg, 5 deg"},
        ),
        (
            [{"change": "payload", "from": {"type": "re", "value": "b+"}, "to": "[$&$$]"}],
            {"payload": "abbc"},
            {"payload": "a[bb$]c"},
        ),
        (
            [{"change": "payload", "from": {"type": "re", "value": "$", "syntax": "javascript"},
              "to": "!"}],
            {"payload": "ab\n"},
            {"payload": "ab\n!"},
        ),
        (
            [{"change": "payload", "from": {"type": "re", "value": "$"}, "to": "!"}],
            {"payload": "ab\n"},
            {"payload": "ab!\n!"},
        ),
        ([{"change": "payload", "from": 5, "to": "five"}], {"payload": 5}, {"payload": "five"}),
        ([{"change": "payload", "from": 5, "to": "five"}], {"payload": 6}, {"payload": 6}),
        ([{"change": "payload", "from": 5, "to": 6}], {"payload": "5"}, {"payload": 6}),
        ([{"change": "payload", "from": True, "to": 1}], {"payload": True}, {"payload": 1}),
        (
            [{"change": "payload", "from": "a", "to": "b"}],
            {"payload": {"a": 1}},
            {"payload": {"a": 1}},
        ),
        (
            [{"change": "payload", "from": {"type": "msg", "value": "topic"}, "to": "*"}],
            {"payload": "a/b/a", "topic": "a"},
            {"payload": "*/b/*", "topic": "a"},
        ),
        ([{"delete": "payload.a"}], {"payload": {"a": 1, "b": 2}}, {"payload": {"b": 2}}),
        ([{"delete": "payload[0]"}], {"payload": [1, 2]}, {"payload": [2]}),
        ([{"delete": "nothing.here"}], {"payload": 1}, {"payload": 1}),
        (
            [{"move": "payload.a", "to": "payload.b"}],
            {"payload": {"a": 1}},
            {"payload": {"b": 1}},
        ),
        ([{"move": "payload.a", "to": "payload"}], {"payload": {"a": [1]}}, {"payload": [1]}),
        ([{"move": "topic", "to": "payload"}], {"payload": 1}, {}),
        (
            [
                {"set": "payload", "to": 1},
                {"set": "topic", "to": {"type": "msg", "value": "payload"}},
            ],
            {},
            {"payload": 1, "topic": 1},
        ),
    ],
)
def test_rules_on_the_message(rules: list[Any], msg: dict[str, Any], expected: Any) -> None:
    assert changed(rules, msg) == expected


def test_values_from_msg_are_shared_unless_deep_copied() -> None:
    source = {"payload": {}, "obj": {"x": 1}}
    shared = [
        {"set": "payload.a", "to": {"type": "msg", "value": "obj"}},
        {"set": "payload.a.y", "to": 2},
    ]
    assert changed(shared, json.loads(json.dumps(source)))["obj"] == {"x": 1, "y": 2}
    copied = [{**shared[0], "deep_copy": True}, shared[1]]
    assert changed(copied, json.loads(json.dumps(source)))["obj"] == {"x": 1}


def test_literal_objects_are_fresh_for_every_message() -> None:
    flow = json.dumps(
        {
            "flowrt": 1,
            "nodes": {
                "c": {
                    "type": "change",
                    "rules": [
                        {"set": "payload", "to": {"type": "json", "value": {"n": []}}},
                        {"set": "payload.n[0]", "to": {"type": "msg", "value": "topic"}},
                    ],
                }
            },
        }
    )
    result = run_flow(flow, inputs=[{"topic": 1}, {"topic": 2}])
    assert result.payloads("c") == [{"n": [1]}, {"n": [2]}]


def test_context_targets() -> None:
    flow = """
flowrt: 1
id: ctx
nodes:
  c:
    type: change
    rules:
      - set: {type: flow, value: count}
        to: {type: msg, value: payload}
      - set: {type: flow, value: "cfg.limits[1]"}
        to: 9
      - set: {type: global, value: site}
        to: plant-1/boiler
      - change: {type: global, value: site}
        from: /
        to: ":"
      - move: topic
        to: {type: flow, value: last_topic}
      - set: payload
        to: {type: flow, value: cfg}
      - set: {type: flow, value: gone}
        to: 1
      - delete: {type: flow, value: gone}
"""
    result = run_flow(flow, inputs=[{"payload": 3, "topic": "t"}])
    assert result.errors == []
    assert result.flow_context("ctx") == {
        "count": 3,
        "cfg": {"limits": [None, 9]},
        "last_topic": "t",
    }
    assert result.global_context() == {"site": "plant-1:boiler"}
    assert result.payloads("c") == [{"limits": [None, 9]}]


def test_setting_beneath_a_non_object_warns_and_keeps_the_message() -> None:
    result = change([{"set": "payload.x", "to": 1}], {"payload": "text"})
    assert result.payloads("c") == ["text"]
    assert len(result.warnings) == 1 and "payload.x" in result.warnings[0][1]


def test_failing_expression_is_an_error_and_stops_the_message() -> None:
    result = change([{"set": "payload", "to": {"type": "jsonata", "value": "$number('x')"}}], {})
    assert result.sent("c") == []
    assert len(result.errors) == 1 and "JSONata" in result.errors[0].message


def test_searching_for_an_object_is_an_error_and_the_message_goes_on() -> None:
    rules = [{"change": "payload", "from": {"type": "msg", "value": "topic"}, "to": "x"},
             {"set": "after", "to": True}]
    result = change(rules, {"payload": "a", "topic": {"a": 1}})
    [error] = result.errors
    assert error.node == "c" and "from must be" in error.message
    [out] = result.sent("c")
    assert out["payload"] == "a" and out["after"] is True and "error" not in out


def test_searching_for_a_missing_context_value_in_context_is_an_error() -> None:
    rules = [{"change": {"type": "flow", "value": "word"},
              "from": {"type": "global", "value": "nothing"}, "to": "x"}]
    result = change(rules, {"payload": 1})
    assert len(result.errors) == 1 and "missing" in result.errors[0].message
    assert result.payloads("c") == [1]


@pytest.mark.parametrize(
    ("rule", "error"),
    [
        ({"set": "payload"}, "'to' is a dependency of 'set'"),
        ({"change": "payload", "to": 1}, "'from' is a dependency"),
        ({"set": "payload", "delete": "topic", "to": 1}, "one of set, change, delete, move"),
        ({"to": 1}, "one of set, change, delete, move"),
        ({"delete": "payload", "to": 1}, "takes no to"),
        ({"set": "payload", "from": "a", "to": 1}, "takes no from"),
        ({"move": "a", "to": "b", "deep_copy": True}, "takes no deep_copy"),
        ({"set": "payload..x", "to": 1}, "invalid property path"),
        ({"set": {"type": "num", "value": 1}, "to": 1}, "target"),
        ({"change": "payload", "from": {"type": "json", "value": "{}"}, "to": 1}, "from cannot"),
        ({"change": "payload", "from": {"type": "re", "value": "(a"}, "to": 1}, "regular"),
        ({"change": "payload", "from": {"type": "re", "value": "(a", "syntax": "javascript"},
          "to": 1}, "invalid JavaScript regular expression"),
        ({"move": "payload", "to": 5}, "move rule's to"),
        ({"sett": "payload", "to": 1}, "sett"),
    ],
)
def test_invalid_rules_fail_at_load(rule: dict[str, Any], error: str) -> None:
    with pytest.raises(CheckError, match=error):
        change([rule], {})


def _jsonata(expression: str) -> dict[str, str]:
    return {"type": "jsonata", "value": expression}


def test_expressions_after_a_rule_that_writes_bytes_see_them() -> None:
    """Each expression sees the message as the rules before it left it: the evaluator fails on
    bytes anywhere in a message, and so does the compiled form of an expression."""
    rules = [
        {"set": "payload.a", "to": _jsonata("payload.x * 2")},
        {"set": "payload.raw", "to": {"type": "bin", "value": [1, 2]}},
        {"set": "payload.b", "to": _jsonata("payload.x * 3")},
    ]
    result = change(rules, {"payload": {"x": 2}})
    assert len(result.errors) == 1 and "JSONata" in result.errors[0].message
    assert result.sent("c") == []


def test_expressions_in_turn_see_what_the_rules_before_them_wrote() -> None:
    rules = [
        {"set": "payload.a", "to": _jsonata("$number(payload.x) * 2")},
        {"move": "payload.a", "to": "payload.b"},
        {"set": "payload.c", "to": _jsonata("payload.b & '/' & payload.x")},
        {"delete": "payload.x"},
        {"set": "payload.d", "to": _jsonata("payload.x ? 1 : 0")},
    ]
    assert changed(rules, {"payload": {"x": "21"}}) == {
        "payload": {"b": 42, "c": "42/21", "d": 0}}


def test_nested_references_in_msg_and_flow_paths() -> None:
    flow = """
flowrt: 1
nodes:
  c:
    type: change
    rules:
      - set: payload
        to: {type: msg, value: "lookup[msg.topic]"}
      - set: "lookup[msg.topic]"
        to: new
      - set: {type: flow, value: "table[msg.topic]"}
        to: {type: msg, value: payload}
      - set: from_flow
        to: {type: flow, value: "table[msg.topic]"}
"""
    result = run_flow(flow, inputs=[{"topic": "b", "lookup": {"a": 1, "b": 2}}])
    assert result.errors == []
    [out] = result.sent("c")
    assert out["payload"] == 2 and out["lookup"] == {"a": 1, "b": "new"}
    assert out["from_flow"] == 2


def test_nested_reference_that_is_missing_is_the_nodes_error() -> None:
    result = change([{"set": "payload", "to": {"type": "msg", "value": "lookup[msg.topic]"}}],
                    {"lookup": {}})
    [error] = result.errors
    assert error.node == "c" and "[msg.topic]" in error.message and "missing" in error.message
