"""JSONata expressions written by a flow author: no way to Python, no way to hang the loop.

The expressions run in change nodes here (a `set` rule with a `jsonata` value); every node with
a JSONata field evaluates through the same function. The bombs run in a child process capped
in memory (isolated_flow.py), so a bound that does not hold fails the test instead of hanging
or exhausting it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.testing import run_flow
from tests.security.isolated_flow import run_isolated


def _flow(expression: str) -> str:
    rule = {"set": "payload", "to": {"type": "jsonata", "value": expression}}
    return "flowrt: 1\nnodes:\n" + f"  e: {json.dumps({'type': 'change', 'rules': [rule]})}\n"


BOMBS: dict[str, tuple[str, Any, Any]] = {
    # name: (expression, payload of the bomb, payload of the harmless message after it)
    "tail-recursion": ("($f := function($x){ $x > 0 ? $f($x) : 0 }; $f(payload))", 1, 0),
    "deep-recursion": ("($f := function($x){ $x > 0 ? 1 + $f($x - 1) : 0 }; $f(payload))",
                       100_000, 3),
    "huge-range": ("$count([1..payload])", 100_000_000, 3),
    "range-loop": ("$sum([1..payload].($sum([1..payload])))", 10_000_000, 3),
    "string-of-range": ("$length($string([1..payload]))", 9_000_000, 3),
    "string-of-message": ("$length($string(payload))", list(range(2_000_000)), [1]),
    "pad": ("$length($pad('', payload))", 1_000_000_000, 3),
    "doubling": ("$length($reduce([1..payload], function($a, $v){ $a & $a }, 'x'))", 64, 2),
    "list-doubling": ("$count($reduce([1..payload], function($a, $v){ $append($a, $a) }, [1]))",
                      64, 2),
    "join": ("$length($join([1..payload].$pad('', 100000)))", 1_000_000, 2),
    "match": ("$count($match(payload, /(a|aa)+$/))", "a" * 60 + "b", "aaa"),
    "replace": ("$replace(payload, /(a|aa)+$/, 'x')", "a" * 60 + "b", "aaa"),
    "contains": ("$contains(payload, /(a|aa)+$/) ? 'yes' : 'no'", "a" * 60 + "b", "aaa"),
    "split": ("$count($split(payload, /(a|aa)+$/))", "a" * 60 + "b", "aaa"),
    "date-picture": ("$length($fromMillis(0, '[Y,' & $string(payload) & ']'))", 999_999_999, 4),
    "now-picture": ("$length($now('[Y0001,2-' & $string(payload) & ']'))", 999_999_999, 4),
    "eval-match": ("$count($eval('$match(payload, /(a|aa)+$/)'))", "a" * 60 + "b", "aaa"),
}


@pytest.fixture(scope="module")
def results() -> dict[str, dict[str, Any]]:
    cases = [
        {"flow": _flow(expression), "inputs": [{"payload": bomb}, {"payload": harmless}]}
        for expression, bomb, harmless in BOMBS.values()
    ]
    return dict(zip(BOMBS, run_isolated(cases), strict=True))


@pytest.mark.parametrize("name", list(BOMBS))
def test_bomb_fails_its_message_only(name: str, results: dict[str, dict[str, Any]]) -> None:
    run = results[name]
    assert "crash" not in run, run.get("crash")
    assert [e["node"] for e in run["errors"]] == ["e"], run["errors"]
    message = run["errors"][0]["message"]
    assert "limit" in message, message
    assert len(run["sent"].get("e:0", [])) == 1, "the next message did not pass"


@pytest.mark.parametrize("name", ["match", "replace", "contains", "split", "eval-match"])
def test_regex_error_names_the_pattern(name: str, results: dict[str, dict[str, Any]]) -> None:
    run = results[name]
    assert "crash" not in run, run.get("crash")
    assert "the regular expression '(a|aa)+$'" in run["errors"][0]["message"]


@pytest.mark.parametrize(
    "expression",
    [
        "payload.__class__",
        "$string(payload.__class__.__mro__)",
        "$lookup(payload, '__class__')",
        "$keys($moment())",
        "$lookup($moment(), '__init__')",
        "$moment().__class__",
        "$moment().when",
        "$string($moment)",
        "$string($env)",
        "$string($flowContext)",
        "$string([$moment, $env, $globalContext, $string])",
        "$eval('payload.__dict__')",
        "$eval('$string($moment().m_format)')",
        "$each(payload, function($v, $k){ $k })",
    ],
)
def test_expression_reaches_no_python(expression: str) -> None:
    """Field names are looked up in mappings only; functions print as nothing; a moment shows
    only its documented methods."""
    result = run_flow(_flow(expression), inputs=[{"payload": {"a": 1}}])
    text = json.dumps([m.get("payload") for m in result.sent("e")], default=repr)
    text += json.dumps([e.message for e in result.errors])
    for leak in ("<class", "<function", "<bound", "object at 0x", "__", "Moment", "mappingproxy"):
        if leak == "__" and "__" in expression:
            continue  # the expression itself may be quoted in an error
        assert leak not in text, text
