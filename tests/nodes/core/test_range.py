"""The range node, through the real engine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow

BASE = {"min_in": 0, "max_in": 10, "min_out": 0, "max_out": 100}


def scaled(inputs: list[Any], **options: Any) -> list[Any]:
    node = {"type": "range", **BASE, **options}
    result = run_flow(json.dumps({"flowrt": 1, "nodes": {"r": node}}), inputs=inputs)
    assert result.errors == []
    return result.payloads("r")


@pytest.mark.parametrize(
    ("options", "payloads", "expected"),
    [
        ({}, [0, 5, 10, 15, -5], [0, 50, 100, 150, -50]),
        ({}, [2.5, "3", " 4 ", True, None], [25, 30, 40, 10, 0]),
        ({}, [0.123], [1.23]),
        ({"action": "clamp"}, [15, -5, 5], [100, 0, 50]),
        ({"action": "wrap"}, [12, -3, 10, 25], [20, 70, 0, 50]),
        ({"action": "drop"}, [11, -1, 10, 0, 3], [100, 0, 30]),
        ({"round": True}, [0.125, 0.135, -0.125, 0.05], [1, 1, -1, 1]),
        ({"min_out": 100, "max_out": 0}, [2], [80]),
        ({"min_in": 10, "max_in": 0, "action": "clamp"}, [12, 2], [0, 80]),
    ],
)
def test_scaling(options: dict[str, Any], payloads: list[Any], expected: list[Any]) -> None:
    result = scaled([{"payload": p} for p in payloads], **options)
    assert result == pytest.approx(expected)


def test_whole_results_are_integers() -> None:
    assert [type(v) for v in scaled([{"payload": 5}, {"payload": 0.5}])] == [int, int]
    assert type(scaled([{"payload": 0.123}])[0]) is float


def test_property_and_missing_property() -> None:
    out = scaled([{"payload": {"v": 5}}, {"payload": {"w": 1}}], property="payload.v")
    assert out == [{"v": 50}, {"w": 1}]
    assert scaled([{"topic": "no payload"}]) == [None]


@pytest.mark.parametrize("value", ["abc", {"a": 1}, [1, 2]])
def test_non_numbers_are_errors(value: Any) -> None:
    node = {"type": "range", **BASE}
    result = run_flow(json.dumps({"flowrt": 1, "nodes": {"r": node}}), inputs=[{"payload": value}])
    assert result.sent("r") == []
    assert len(result.errors) == 1 and "not a number" in result.errors[0].message


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"max_in": 0}, "must differ"),
        ({"action": "limit"}, "must be one of"),
        ({"min_out": "low"}, "min_out"),
        ({"property": "payload["}, "invalid property path"),
    ],
)
def test_invalid_config_fails_at_load(options: dict[str, Any], error: str) -> None:
    node = {"type": "range", **BASE, **options}
    with pytest.raises(CheckError, match=error):
        run_flow(json.dumps({"flowrt": 1, "nodes": {"r": node}}), inputs=[])
