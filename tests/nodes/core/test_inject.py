"""The inject node, on the engine's simulated clock."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.check import check
from flowrt.errors import CheckError
from flowrt.load import Project, load_text
from flowrt.testing import FlowResult, run_flow


def inject(
    until: float | None = None, env: dict[str, str] | None = None, **options: Any
) -> FlowResult:
    flow = json.dumps({"flowrt": 1, "nodes": {"tick": {"type": "inject", **options}}})
    return run_flow(flow, until=until, env=env)


def times(result: FlowResult, start: float) -> list[float]:
    """When each message was made, in seconds after the start (from the default payload)."""
    return [round(m["payload"] / 1000 - start, 3) for m in result.sent("tick")]


@pytest.mark.parametrize(
    ("options", "until", "expected"),
    [
        ({"once": True}, None, [0.1]),
        ({"once": True, "once_delay": 2}, None, [2.0]),
        ({"repeat": 1}, 3.5, [1.0, 2.0, 3.0]),
        ({"repeat": 0.5, "once": True, "once_delay": 0}, 1.2, [0.0, 0.5, 1.0]),
        ({"repeat": 2, "once": True}, 4.5, [0.1, 2.1, 4.1]),
        ({}, None, []),
    ],
)
def test_schedule(options: dict[str, Any], until: float | None, expected: list[float]) -> None:
    result = inject(until=until, **options)
    assert result.errors == []
    assert result.runtime is not None
    assert times(result, result.runtime.clock.start) == expected


def test_cron_fires_on_the_minute() -> None:
    result = inject(until=180, cron="* * * * *")
    stamps = [m["payload"] for m in result.sent("tick")]
    assert len(stamps) in (2, 3)
    assert all(s % 60_000 == 0 for s in stamps)
    assert [b - a for a, b in zip(stamps, stamps[1:], strict=False)] == [60_000] * (len(stamps) - 1)


def test_properties_and_typed_values() -> None:
    result = inject(
        once=True,
        payload={"type": "json", "value": '{"n": 1}'},
        topic="readings",
        properties={
            "site": {"type": "env", "value": "SITE"},
            "payload.m": {"type": "jsonata", "value": "payload.n + 1"},
            "list": [1, 2],
        },
        env={"SITE": "plant-1"},
    )
    [msg] = result.sent("tick")
    assert msg["payload"] == {"n": 1, "m": 2}
    assert (msg["topic"], msg["site"], msg["list"]) == ("readings", "plant-1", [1, 2])
    assert "_msgid" in msg


def test_default_message_has_a_timestamp_payload_and_no_topic() -> None:
    [msg] = inject(once=True).sent("tick")
    assert isinstance(msg["payload"], int) and "topic" not in msg


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"cron": "61 * * * *"}, "invalid cron"),
        ({"cron": "* * * * *", "repeat": 5}, "repeat or cron"),
        ({"repeat": 0}, "repeat"),
        ({"once_delay": -1}, "at least 0"),
        ({"payload": {"type": "num", "value": "x"}}, "must be a number"),
        ({"properties": {"a..b": 1}}, "invalid property path"),
    ],
)
def test_invalid_config_fails_at_load(options: dict[str, Any], error: str) -> None:
    with pytest.raises(CheckError, match=error):
        inject(**options)


NR_VARIABLES = """
flowrt: 1
id: plant
label: Plant floor
nodes:
  tick:
    type: inject
    label: Ticker
    once: true
    payload: ${NR_NODE_NAME}
    properties:
      node: ${NR_NODE_ID} ${NR_NODE_PATH}
      flow: ${NR_FLOW_ID} ${NR_FLOW_NAME}
      group: ${NR_GROUP_ID} ${NR_GROUP_NAME}
      read: {type: env, value: NR_GROUP_NAME}
  meter:
    type: subflow:meter
    label: Meter one
subflows:
  meter:
    nodes:
      inner:
        type: inject
        once: true
        payload: ${NR_NODE_ID} ${NR_NODE_PATH} ${NR_FLOW_ID}
        properties:
          subflow: ${NR_SUBFLOW_ID} ${NR_SUBFLOW_NAME} ${NR_SUBFLOW_PATH}
groups:
  inputs: {label: Inputs, nodes: [tick]}
"""


def test_node_red_variables_are_substituted_and_read_as_node_red_defines_them() -> None:
    result = run_flow(NR_VARIABLES)
    [tick] = result.sent("tick")
    assert tick["payload"] == "Ticker"
    assert tick["node"] == "tick plant/tick"
    assert tick["flow"] == "plant Plant floor"
    assert tick["group"] == "inputs Inputs"
    assert tick["read"] == "Inputs"  # an env typed value reads them too
    [inner] = result.sent("meter/inner")
    assert inner["payload"] == "meter/inner plant/meter/inner plant"  # the flow it is used on
    assert inner["subflow"] == "meter Meter one plant/meter"


def test_the_checker_knows_the_node_red_variables() -> None:
    diagnostics = check(Project(documents=[load_text(NR_VARIABLES, "plant.yaml")]), env={})
    assert [d.code for d in diagnostics if d.code == "W104"] == []
    outside = NR_VARIABLES.replace("${NR_NODE_ID} ${NR_NODE_PATH} ${NR_FLOW_ID}",
                                   "${NR_GROUP_ID}")  # a subflow's node is in no group
    diagnostics = check(Project(documents=[load_text(outside, "plant.yaml")]), env={})
    assert [d.message for d in diagnostics if d.code == "W104"] == [
        "payload references ${NR_GROUP_ID}, which has no value and no default"]


def test_an_imported_node_has_its_node_red_ids_in_the_variables() -> None:
    flow = NR_VARIABLES.replace("    once: true\n    payload: ${NR_NODE_NAME}",
                                "    once: true\n    origin: {id: a1b2c3, type: inject}\n"
                                "    payload: ${NR_NODE_NAME}")
    [tick] = run_flow(flow).sent("tick")
    assert tick["node"] == "a1b2c3 plant/a1b2c3"
