"""The flow-test node: a test message goes out on output 1 and, wired straight back in, is
checked. The verdicts (and the reasons' words) are what node-red-contrib-prib-functions'
`test` node 0.27.1 gives for the same values, quirks included."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.testing import run_flow


def verdicts(back: Any, expected: Any, **config: Any) -> tuple[list[Any], list[Any]]:
    """(passed messages, failed messages' `_test`) for a test whose message comes back with
    `payload` ``back``."""
    flow = {"flowrt": 1, "nodes": {
        "t": {"type": "flow-test", "payload": {"type": "json", "value": json.dumps(back)},
              "expected": expected, **config, "to": {0: "t", 1: "failed", 2: "passed"}},
        "failed": {"type": "debug"}, "passed": {"type": "debug"}}}
    result = run_flow(json.dumps(flow), [{"payload": "start"}], into="t")
    return result.received("passed"), [m["_test"] for m in result.received("failed")]


JSON = "json"


def typed(kind: str, value: str) -> dict[str, Any]:
    return {"type": kind, "value": value}


@pytest.mark.parametrize(("back", "expected", "config", "reasons"), [
    (1, 1, {}, []),
    ("1", 1, {}, []),  # JavaScript's ==
    (2, 1, {}, ["different object types"]),
    (1.2, 1, {"error_factor": 0.5}, []),
    (100, -1, {"error_factor": 0.5}, []),  # a negative expected number passes anything
    (1.0001, 1, {"error_factor": 0}, ["number outside bounds"]),
    (False, True, {}, ["boolean not equal", "different object types"]),
    (1, True, {}, []),
    ({"a": [1, 2]}, typed(JSON, '{"a": [1, 2]}'), {}, []),
    ({"a": [1, 3]}, typed(JSON, '{"a": [1, 2]}'), {}, ["different object types"]),
    ({"a": [1, 2], "b": 1}, typed(JSON, '{"a": [1, 2]}'), {},
     ["different number of properties"]),
    ({"a": False}, typed(JSON, '{"a": true}'), {}, ["boolean not equal"]),
    ({"b": 1}, typed(JSON, '{"a": 1}'), {}, ["different data types, number vs undefined"]),
    ({"0": 1, "1": 2}, typed(JSON, "[1, 2]"), {}, []),
    ("abd", "abc", {}, ["different object types"]),
    (None, typed(JSON, "null"), {}, []),
    (None, typed(JSON, "{}"), {}, ["different object types"]),
    (1, typed(JSON, "[1]"), {}, []),
    ({"x": 1}, 1, {"property": "payload.x"}, []),
])
def test_verdicts_as_the_contrib_gives_them(back: Any, expected: Any, config: dict[str, Any],
                                            reasons: list[str]) -> None:
    passed, failed = verdicts(back, expected, **config)
    if not reasons:
        assert (len(passed), failed) == (1, [])
        assert "_test" not in passed[0]
        return
    assert passed == []
    assert [f["errorDetails"] for f in failed] == [
        f"equal object test failure {reasons[-1]}"] * len(reasons)
    assert all(f["error"] == "Test failed" and f["testedValue"] == back for f in failed)


def test_a_property_under_a_missing_one_fails_to_read() -> None:
    passed, failed = verdicts({}, 1, property="payload.x.y")
    assert passed == [] and failed[0]["error"] == (
        "Test failed on get data Cannot read properties of undefined (reading 'y')")


def test_escaped_texts() -> None:
    flow = {"flowrt": 1, "nodes": {
        "t": {"type": "flow-test", "payload": "a\\nb", "expected": "a\\nb", "unescape": True,
              "to": {0: "t", 2: "passed"}}, "passed": {"type": "debug"}}}
    (msg,) = run_flow(json.dumps(flow), [{}], into="t").received("passed")
    assert msg["payload"] == "a\nb"


def test_a_jsonata_condition_and_the_test_message() -> None:
    flow = {"flowrt": 1, "nodes": {
        "t": {"type": "flow-test", "payload": typed(JSON, "[0, 1, [1, 2]]"), "topic": "case",
              "condition": "$boolean($[2][1] = 2)", "to": {0: "t", 1: "failed", 2: "passed"}},
        "failed": {"type": "debug"}, "passed": {"type": "debug"}}}
    result = run_flow(json.dumps(flow), [{"payload": "go"}], into="t")
    (sent,) = result.sent("t", 0)
    assert (sent["topic"], sent["_test"]["id"]) == ("case", "t")
    assert len(result.received("passed")) == 1 and result.received("failed") == []


def test_a_message_of_another_test_fails() -> None:
    flow = {"flowrt": 1, "nodes": {"t": {"type": "flow-test", "to": {1: "failed"}},
                                   "failed": {"type": "debug"}}}
    result = run_flow(json.dumps(flow), [{"payload": 1, "_test": {"id": "other"}}], into="t")
    assert result.received("failed")[0]["_test"]["error"] == "Sent by another test other"
