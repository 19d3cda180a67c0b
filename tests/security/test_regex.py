"""Catastrophic regular expressions in the fields a flow author writes.

A backtracking pattern such as `(a|aa)+$` against sixty a's and a b takes longer than the age
of the universe on Python's `re`, and it runs on the event loop: every flow of the server would
stop. Every regex field is matched with a time bound: the message fails with an error naming
the pattern (so a catch node sees it) and the next message passes. The flows run in a child
process (isolated_flow.py), so a bound that does not hold fails the test instead of hanging it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow
from tests.security.isolated_flow import run_isolated

EVIL = "(a|aa)+$"
"""Exponential on backtracking engines, `re` and the `regex` package alike."""

NESTED = "(a+)+$"
"""Exponential on `re`; the `regex` package answers at once (it is kept as the classic case)."""

BAD_TEXT = "a" * 60 + "b"


def _yaml(nodes: dict[str, Any]) -> str:
    return "flowrt: 1\nnodes:\n" + "".join(
        f"  {name}: {json.dumps(node)}\n" for name, node in nodes.items()
    )


CASES: dict[str, dict[str, Any]] = {
    "switch": {
        "flow": _yaml({"s": {"type": "switch", "rules": [{"regex": EVIL}, {"else": True}]}}),
        "inputs": [{"payload": BAD_TEXT}, {"payload": "aaa"}],
    },
    "switch-ignore-case": {
        "flow": _yaml({"s": {"type": "switch",
                             "rules": [{"regex": EVIL, "ignore_case": True}, {"else": True}]}}),
        "inputs": [{"payload": BAD_TEXT}, {"payload": "AAA"}],
    },
    "switch-nested": {
        "flow": _yaml({"s": {"type": "switch", "rules": [{"regex": NESTED}, {"else": True}]}}),
        "inputs": [{"payload": "a" * 40 + "b"}, {"payload": "aaa"}],
    },
    "change": {
        "flow": _yaml({"s": {"type": "change", "rules": [
            {"change": "payload", "from": {"type": "re", "value": EVIL}, "to": "x"}]}}),
        "inputs": [{"payload": BAD_TEXT}, {"payload": "aaa"}],
    },
    "validate-pattern": {
        "flow": _yaml({"s": {"type": "validate",
                             "schema": {"type": "string", "pattern": EVIL}}}),
        "inputs": [{"payload": BAD_TEXT}, {"payload": "aaa"}],
    },
    "validate-pattern-properties": {
        "flow": _yaml({"s": {"type": "validate", "schema": {
            "type": "object", "patternProperties": {EVIL: {"type": "number"}}}}}),
        "inputs": [{"payload": {BAD_TEXT: 1}}, {"payload": {"aaa": 1}}],
    },
    "validate-additional-properties": {
        "flow": _yaml({"s": {"type": "validate", "schema": {
            "type": "object", "patternProperties": {EVIL: {"type": "number"}},
            "additionalProperties": False}}}),
        "inputs": [{"payload": {BAD_TEXT: 1}}, {"payload": {"aaa": 1}}],
    },
}


PASSED = {
    "switch": "aaa", "switch-ignore-case": "AAA", "change": "x", "validate-pattern": "aaa",
    "validate-pattern-properties": '{"aaa": 1}', "validate-additional-properties": '{"aaa": 1}',
}
"""What the harmless message after the bomb leaves as, on the node's first output."""


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Any]]:
    runs = run_isolated(list(CASES.values()))
    return dict(zip(CASES, runs, strict=True))


@pytest.mark.parametrize("name", [n for n in CASES if n != "switch-nested"])
def test_catastrophic_pattern_fails_its_message(
    name: str, results: dict[str, dict[str, Any]]
) -> None:
    run = results[name]
    assert "crash" not in run, run.get("crash")
    assert [e["node"] for e in run["errors"]] == ["s"], run["errors"]
    message = run["errors"][0]["message"]
    assert EVIL in message and "limit" in message, message
    assert run["sent"].get("s:0") == [PASSED[name]], run["sent"]


def test_nested_quantifier_answers(results: dict[str, dict[str, Any]]) -> None:
    """`(a+)+$` on forty a's and a b: no match, at once; the flow goes on."""
    run = results["switch-nested"]
    assert "crash" not in run, run.get("crash")
    assert run["errors"] == []
    assert run["sent"] == {"s:1": ["a" * 40 + "b"], "s:0": ["aaa"]}


def test_a_schema_whose_patterns_cannot_be_bounded_is_refused_at_load() -> None:
    """jsonschema matches patternProperties itself for unevaluatedProperties: no bound fits
    there, so the pair is refused when the flow is loaded."""
    flow = _yaml({"s": {"type": "validate", "schema": {
        "type": "object", "patternProperties": {EVIL: {"type": "number"}},
        "unevaluatedProperties": False}}})
    with pytest.raises(CheckError, match="unevaluatedProperties together with patternProperties"):
        run_flow(flow, inputs=[{"payload": {"aaa": 1}}])
