"""The compiled forms of JSONata give jsonata-python's answers: the same values of the same
types (int or float, undefined or null, NaN), and the same errors, on random messages."""

from __future__ import annotations

import math
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowrt.errors import NodeError
from flowrt.expressions import jsonata as expression
from flowrt.expressions.jsonata import compile_expression, compile_jsonata
from flowrt.expressions.jsonata_fastpath import compile_fast
from flowrt.expressions.jsonata_limits import TEXT_LIMIT
from tests.expressions.test_typed_value import Stores

compile_jsonata("payload")  # jsonata-python raises the recursion limit on its first use: not
# inside a hypothesis test, which fails when the limit changes while it runs

COMPILED = [
    "payload",
    "payload.x",
    "payload.a.b",
    "payload.a.b.c",
    "topic",
    "$number(payload.x) * 2",
    "$number(payload.a.b) + 0.5",
    "payload.x * 2",
    "payload.x / 3",
    "payload.x % 3",
    "payload.x - payload.y",
    "payload.x / payload.y",
    "payload.x * 1.8 + 32",
    "payload.x + payload.y * payload.a.b",
    "-1 + payload.x",
    "payload.x & '@' & topic",
    "payload.a.b & payload.y",
    "$string(payload.x)",
    "$string(payload.x) & 'C'",
    "payload.x > 3",
    "payload.x <= payload.y",
    "payload.x = 'on'",
    "payload.x != payload.y",
    "payload.x > 1 and payload.y < 5",
    "payload.x or payload.y",
    "true",
    "'text'",
    "2.5",
    "$number(payload.x)",
    "$number(payload.a.b)",
    "$round(payload.x)",
    "$round(payload.x, 2)",
    "$round(payload.x, payload.y)",
    "$floor(payload.x)",
    "$ceil(payload.x) + 1",
    "$abs(payload.x)",
    "$uppercase(payload.x)",
    "$lowercase(topic)",
    "$trim(payload.x)",
    "$length(payload.x)",
    "payload.x > 1 ? 'hot' : 'cold'",
    "payload.x ? payload.y",
    "payload.a.b ? payload.a : topic",
    "-payload.x",
    "-$number(payload.x) * 2",
    "payload.x * 9 / 5 + 32",
    "32 + payload.x * 9 / 5",
    "payload.x - 32 * 5 / 9",
    "100 / payload.x - 1",
    "payload.x / 0 + 1",
    "payload.x * 1e300 * 1e10 / 1e300",
    "-0.5 * payload.x * 0 / -1",
    "2 * 3 + payload.x - payload.y * 2",
    "$number(payload.a.b) * 1.8 + 32",
]
"""Expressions of the forms :mod:`flowrt.expressions.jsonata_fastpath` compiles."""

NOT_COMPILED = [
    "payload.x[0]", "payload.*", "payload.x ? 1 : null", "$sum(payload.x)", "$x", "$",
    "payload.(x + 1)", "null", "[payload.x]", "payload.x in [1, 2]", "$number(payload.x, 1)",
    "$flowContext('a')", "payload{x: y}", "**.x", "payload.x.$string()", "[1..3]",
    "$substring(payload.x, 1)", "$string(payload.x, true)", "$now()",
]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.integers(),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-1e6, 1e6),
    st.sampled_from(["", "on", "12", "-3.5", "0x1F", "1e3", "abc", " 7", "é", "true"]),
    st.text(max_size=8),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c", "x", "y"]), inner, max_size=3),
    ),
    max_leaves=8,
)
odd = st.sampled_from([b"raw", (1, 2), {1, 2}])
messages = st.fixed_dictionaries(
    {"payload": st.one_of(values, st.dictionaries(
        st.sampled_from(["a", "x", "y"]), st.one_of(values, odd), max_size=3))},
    optional={"topic": st.one_of(st.text(max_size=5), values)},
)


def _outcome(run: Any, msg: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "value", run(msg, None)
    except NodeError as exc:
        return "error", str(exc)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _evaluator_only(text: str) -> Any:
    with mock.patch.object(expression, "compile_fast", lambda expr: None):
        return compile_expression(text, Stores())


@pytest.mark.parametrize("text", COMPILED)
def test_the_common_forms_are_compiled(text: str) -> None:
    assert compile_fast(compile_jsonata(text)) is not None


@pytest.mark.parametrize("text", NOT_COMPILED)
def test_other_forms_are_left_to_the_evaluator(text: str) -> None:
    assert compile_fast(compile_jsonata(text)) is None


@pytest.mark.parametrize("text", COMPILED)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(msg=messages)
def test_compiled_forms_answer_as_the_evaluator(text: str, msg: dict[str, Any]) -> None:
    import copy

    fast, full = compile_expression(text, Stores()), _evaluator_only(text)
    got, want = _outcome(fast, copy.deepcopy(msg)), _outcome(full, copy.deepcopy(msg))
    assert got[0] == want[0], (got, want)
    assert _same(got[1], want[1]), (got, want)


@pytest.mark.parametrize(
    ("text", "msg", "expected"),
    [
        ("$number(payload.x) * 2", {"payload": {"x": "120"}}, 240),
        ("$number(payload.x) * 2", {"payload": {"x": "1.25"}}, 2.5),
        ("payload.a.b", {"payload": {"a": {"b": [1, 2]}}}, [1, 2]),
        ("payload.a.b", {"payload": {"a": [{"b": 1}, {"b": 2}]}}, [1, 2]),
        ("payload.x", {"payload": {"x": None}}, None),
        ("payload.x & '@' & topic", {"payload": {"x": 1.0}, "topic": "t"}, "1@t"),
        ("payload.x & '@'", {"payload": {"x": 1e21}}, "1e+21@"),
        ("payload.celsius * 9 / 5 + 32", {"payload": {"celsius": 21.5}}, 70.7),
        ("payload.celsius * 9 / 5 + 32", {"payload": {"celsius": 100}}, 212),
        ("payload.celsius * 9 / 5 + 32", {"payload": {"celsius": -40.0}}, -40),
        ("payload.celsius * 9 / 5 + 32", {"payload": {}}, expression.MISSING),
        ("100 / payload.x - 1", {"payload": {"x": float("inf")}}, "error"),
        ("payload.x * 1e300 * 1e10 / 1e300", {"payload": {"x": 1e10}}, "error"),
    ],
)
def test_compiled_forms_known_answers(text: str, msg: dict[str, Any], expected: Any) -> None:
    if expected == "error":  # a value not finite, even only midway, is the evaluator's error
        assert _outcome(compile_expression(text, Stores()), msg)[0] == "error"
        return
    got = compile_expression(text, Stores())(msg, None)
    if isinstance(expected, list):  # the evaluator's sequences are lists of their own type
        assert isinstance(got, list) and list(got) == expected
    else:
        assert _same(got, expected)


def test_a_variable_named_like_a_function_goes_to_the_evaluator() -> None:
    run = compile_expression("$number(payload.x) * 2", Stores())
    with pytest.raises(NodeError):  # $number is now the caller's value, not a function
        run({"payload": {"x": "2"}}, {"number": 3})
    assert run({"payload": {"x": "2"}}, {"I": 3}) == 4


def test_made_texts_are_bounded_as_in_the_evaluator() -> None:
    half = "x" * (TEXT_LIMIT // 2 + 1)
    run = compile_expression("payload.a & payload.b", Stores())
    with pytest.raises(NodeError, match="limit"):
        run({"payload": {"a": half, "b": half}}, None)


def test_a_message_with_bytes_fails_as_in_the_evaluator() -> None:
    msg = {"payload": {"x": 1, "raw": b"\x00"}}
    got = _outcome(compile_expression("payload.x", Stores()), msg)
    assert got == _outcome(_evaluator_only("payload.x"), msg)
    assert got[0] == "error"


def test_a_message_nested_too_deep_fails_as_in_the_evaluator() -> None:
    deep: dict[str, Any] = {"x": 1}
    for _ in range(30_000):
        deep = {"a": deep}
    msg = {"payload": {"x": 2, "deep": deep}}
    got = _outcome(compile_expression("payload.x * 2", Stores()), msg)
    assert got == _outcome(_evaluator_only("payload.x * 2"), msg)
    assert got[0] == "error" and "recursion limit" in got[1]
