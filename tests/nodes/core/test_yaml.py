"""The yaml node, through the real engine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.testing import FlowResult, run_flow


def run(msgs: list[dict[str, Any]], **options: Any) -> FlowResult:
    node = {"type": "yaml", **options}
    return run_flow(json.dumps({"flowrt": 1, "nodes": {"y": node}}), inputs=msgs)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("a: 1\nb: [x, y]\n", {"a": 1, "b": ["x", "y"]}),
        ("- 1\n- 2.5\n- null\n- true\n", [1, 2.5, None, True]),
        ("on: yes", {"on": "yes"}),  # YAML 1.2: yes is text
        ("just text", "just text"),
        ("", None),
        ({"a": 1, "b": ["x", "y"]}, "a: 1\nb:\n  - x\n  - y\n"),
        ([{"name": "é"}], "- name: é\n"),
        ({}, "{}\n"),
        ({"zone": 1, "area": {"y": 2, "b": 3}}, "zone: 1\narea:\n  y: 2\n  b: 3\n"),  # in order
    ],
)
def test_conversion(payload: Any, expected: Any) -> None:
    result = run([{"payload": payload}])
    assert result.errors == [] and result.warnings == []
    assert result.payloads("y") == [expected]


def test_round_trip_and_property() -> None:
    value = {"site": "plant", "limits": [1, 2.5], "flags": {"on": True, "off": None}}
    flow = """
flowrt: 1
nodes:
  dump: {type: yaml, property: payload.v, to: load}
  load: {type: yaml, property: payload.v}
"""
    result = run_flow(flow, inputs=[{"payload": {"v": value}}, {"topic": "none"}])
    assert result.payloads("load") == [{"v": value}, None]


def test_invalid_yaml_is_an_error() -> None:
    result = run([{"payload": "a: [1, 2"}])
    assert result.sent("y") == []
    assert len(result.errors) == 1 and "not valid YAML" in result.errors[0].message


@pytest.mark.parametrize("payload", [5, True, b"a: 1"])
def test_other_values_are_dropped_with_a_warning(payload: Any) -> None:
    result = run([{"payload": payload}])
    assert result.sent("y") == [] and len(result.warnings) == 1
