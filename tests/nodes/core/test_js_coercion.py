"""JavaScript's loose conversions, checked against what a JavaScript engine answers."""

from __future__ import annotations

import math
from typing import Any

import pytest
from flowrt_nodes.core.delay import _number as delay_number
from flowrt_nodes.core.js_coercion import (
    loose_eq,
    loose_ge,
    loose_gt,
    loose_le,
    loose_lt,
    to_number,
    to_str,
)

from flowrt.api import MISSING
from flowrt.testing import run_flow


@pytest.mark.parametrize(
    ("value", "number"),
    [
        ("12", 12.0),
        (" 12 ", 12.0),
        ("", 0.0),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("0x10", 16.0),
        ("-Infinity", -math.inf),
        (True, 1.0),
        (None, 0.0),
        ([], 0.0),
        ([7], 7.0),
        ("12px", math.nan),
        ("1_000", math.nan),
        ("nan", math.nan),
        ({}, math.nan),
        (MISSING, math.nan),
    ],
)
def test_to_number(value: Any, number: float) -> None:
    result = to_number(value)
    assert (math.isnan(result) and math.isnan(number)) or result == number


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1.0, "1"),
        (1.5, "1.5"),
        (1e21, "1e+21"),
        (1.5e-7, "1.5e-7"),
        (math.nan, "NaN"),
        (True, "true"),
        (None, "null"),
        (MISSING, "undefined"),
        ([1, None, "a"], "1,,a"),
        ({"a": 1}, "[object Object]"),
    ],
)
def test_to_str(value: Any, text: str) -> None:
    assert to_str(value) == text


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ("7", 7, True),
        ("", 0, True),
        (True, 1, True),
        (True, "1", True),
        (None, MISSING, True),
        (None, 0, False),
        (MISSING, "", False),
        ([1], 1, True),
        ([1, 2], "1,2", True),
        ({"a": 1}, {"a": 1}, True),
        ({"a": 1}, [1], False),
        (math.nan, math.nan, False),
        ("a", "a", True),
    ],
)
def test_loose_eq(a: Any, b: Any, equal: bool) -> None:
    assert loose_eq(a, b) is equal
    assert loose_eq(b, a) is equal


@pytest.mark.parametrize(
    ("a", "b", "lt", "le"),
    [
        (1, 2, True, True),
        ("10", 9, False, False),
        ("10", "9", True, True),  # two texts compare as text
        (None, 1, True, True),
        (None, 0, False, True),
        (MISSING, 1, False, False),
        ("abc", 1, False, False),
        (False, True, True, True),
        ([2], 3, True, True),
    ],
)
def test_loose_ordering(a: Any, b: Any, lt: bool, le: bool) -> None:
    assert loose_lt(a, b) is lt
    assert loose_le(a, b) is le
    assert loose_gt(b, a) is lt
    assert loose_ge(b, a) is le


# The sort and delay nodes read numbers with to_number. They once had their own readers, which
# disagreed with JavaScript on the inputs marked below; these inputs pin them to to_number.
JAVASCRIPT_NUMBERS: list[tuple[Any, float]] = [
    ("", 0.0),  # the delay node's reader said "not a number"
    (" 12 ", 12.0),
    ("0x1f", 31.0),  # both readers said "not a number"
    ("1e3", 1000.0),
    ("Infinity", math.inf),
    ("12px", math.nan),
    ("1_000", math.nan),  # both readers said 1000 (Python's float())
    ("inf", math.nan),  # both readers said infinity
    ("nan", math.nan),  # the delay node's reader gave NaN as a delay
    (None, 0.0),
    (True, 1.0),
    ([], 0.0),  # the sort node's reader said NaN
    ([5], 5.0),  # the sort node's reader said NaN
    ({}, math.nan),
    (7, 7.0),
    (2.5, 2.5),
]


@pytest.mark.parametrize(("value", "number"), JAVASCRIPT_NUMBERS)
def test_to_number_follows_javascript(value: Any, number: float) -> None:
    result = to_number(value)
    assert (math.isnan(result) and math.isnan(number)) or result == number


def test_the_sort_node_orders_numeric_keys_as_to_number_reads_them() -> None:
    payload = [{"k": value, "i": i} for i, (value, _) in enumerate(JAVASCRIPT_NUMBERS)]
    flow = "flowrt: 1\nnodes:\n  s: {type: sort, key: k, numeric: true}\n"
    result = run_flow(flow, inputs=[{"payload": payload}])
    numbers = [to_number(item["k"]) for item in result.payloads("s")[0]]
    ordered = [n for n in numbers if not math.isnan(n)]
    assert ordered == sorted(n for _, n in JAVASCRIPT_NUMBERS if not math.isnan(n))


@pytest.mark.parametrize(("value", "number"), JAVASCRIPT_NUMBERS)
def test_the_delay_node_reads_overrides_as_to_number_does(value: Any, number: float) -> None:
    read = delay_number(value)
    a_number_or_text = isinstance(value, int | float | str) and not isinstance(value, bool)
    if a_number_or_text and not math.isnan(number):
        assert read == number
    else:  # NaN, and values that are neither numbers nor text, override nothing
        assert read is None
