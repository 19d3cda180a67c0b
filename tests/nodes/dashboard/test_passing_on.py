"""What the switch, slider and numeric pass on for a message in: flowrt's ways by default (a
payload that is neither of a switch's values is not passed on; a number outside the range is
kept within it; every message sets and passes on) and node-red-dashboard's with `others:
position`, `outside: keep` and `repeats: drop` (which its import sets;
tests/nodered/test_same_behaviour_dashboard.py checks them against it). A passed-on message
takes the widget's topic, or keeps its own when the widget has none."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.testing import run_flow

FLOW = """\
flowrt: 1
id: passing
connections:
  board: {{type: dashboard, pages: [{{id: p, groups: [{{id: g, widgets: [w]}}]}}]}}
nodes:
  w: {{{widget}, dashboard: board, passthru: true, to: seen}}
  seen: {{type: debug}}
"""


def passed(widget: str, inputs: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    result = run_flow(FLOW.format(widget=widget), inputs=inputs, into="w")
    return [(m.get("payload"), m.get("topic")) for m in result.sent("w")]


SWITCH = "type: ui-switch, on_value: 'on', off_value: 'off', topic: heating"
INPUTS: list[dict[str, Any]] = [{"payload": "maybe"}, {"payload": "on", "topic": "t"},
                                {"payload": 1}, {"payload": "off"}, {"payload": None}]


def test_a_switch_passes_on_only_its_values_unless_told_otherwise() -> None:
    assert passed(SWITCH, INPUTS) == [("on", "heating"), ("off", "heating")]


def test_a_switch_passes_others_on_as_its_position_as_node_red_dashboard() -> None:
    assert passed(SWITCH + ", others: position", INPUTS) == [
        ("on", "heating"), ("on", "heating"), ("off", "heating"), ("off", "heating")]


def test_a_passed_on_message_keeps_its_topic_when_the_widget_has_none() -> None:
    assert passed("type: ui-switch, others: position",
                  [{"payload": True, "topic": "a"}, {"payload": 3}]) == [
        (True, "a"), (True, None)]


@pytest.mark.parametrize("kind", ["ui-slider", "ui-numeric"])
@pytest.mark.parametrize(("outside", "expected"), [
    ("clamp", [10, 0, 2, 10]),  # within the range; on a step as Python rounds (half to even)
    ("keep", [15, -2, 3, 10]),  # as it is; on a step as JavaScript rounds (half up)
])
def test_numbers_outside_the_range(kind: str, outside: str, expected: list[float]) -> None:
    got = passed(f"type: {kind}, min: 0, max: 10, outside: {outside}",
                 [{"payload": 15}, {"payload": -2.5}, {"payload": "2.5"}, {"payload": 10}])
    assert [p for p, _ in got] == expected


@pytest.mark.parametrize("kind", ["ui-slider", "ui-numeric"])
@pytest.mark.parametrize(("repeats", "expected"), [
    ("pass", [3, 3, 4, 3]), ("drop", [3, 4, 3])])
def test_the_value_held_already(kind: str, repeats: str, expected: list[float]) -> None:
    got = passed(f"type: {kind}, min: 0, max: 10, repeats: {repeats}",
                 [{"payload": 3}, {"payload": "3"}, {"payload": 4}, {"payload": 3}])
    assert [p for p, _ in got] == expected
