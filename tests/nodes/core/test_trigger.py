"""The trigger node: first message, then a second after a wait; extend, resend, block, reset."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import FlowResult, run_flow
from tests.nodes.core.stamp import timing_registry

Timed = tuple[float, dict[str, Any]]


def run_trigger(options: str, inputs: list[Timed], until: float | None = None) -> FlowResult:
    """Run a trigger `t` whose outputs go to stamp nodes `out` (port 0) and `second`."""
    wiring = "to: {0: out, 1: second}" if "second_output: true" in options else "to: out"
    flow = f"""
flowrt: 1
nodes:
  t: {{type: trigger{", " + options if options else ""}, {wiring}}}
  out: {{type: stamp}}
  second: {{type: stamp}}
"""
    return run_flow(flow, inputs=inputs, into="t", until=until, registry=timing_registry())


def timeline(result: FlowResult, node: str = "out") -> list[tuple[Any, float]]:
    return [(m.get("payload"), m["at"]) for m in result.sent(node)]


def at(t: float, payload: Any = "x", **extra: Any) -> Timed:
    return (t, {"payload": payload, **extra})


@pytest.mark.parametrize(
    ("options", "inputs", "expected"),
    [
        # sends 1, then 0 after 250 ms; messages in between are ignored
        ("", [at(0), at(0.1), at(1)], [(1, 0), (0, 0.25), (1, 1), (0, 1.25)]),
        (
            "first: on, second: {type: msg, value: payload}, duration: 2",
            [at(0, "a"), at(1, "b")],
            [("on", 0), ("a", 2)],
        ),
        ("first: {type: msg, value: payload}, second: off", [at(0, 7)], [(7, 0), ("off", 0.25)]),
        ("first: 'got {{payload}}', send: first", [at(0, "x")], [("got x", 0)]),
        # extend: every message starts the wait again
        ("duration: 1.5, extend: true", [at(0), at(1), at(2)], [(1, 0), (0, 3.5)]),
        # a watchdog: only the second message, when messages stop
        ("duration: 1.5, extend: true, send: second", [at(0), at(1), at(2)], [(0, 3.5)]),
        # only the first message; the node re-arms after the duration
        ("send: first", [at(0), at(0.1), at(0.3)], [(1, 0), (1, 0.3)]),
        ("duration: 1, then: resend", [at(0, "a")], [(1, 0), (1, 1), (1, 2), (1, 3)]),
        (
            "duration: 1, then: resend, first: {type: msg, value: payload}",
            [at(0, "a"), at(1.5, "b")],
            [("a", 0), ("a", 1), ("b", 1.5), ("b", 2.5), ("b", 3.5)],
        ),
        # msg.delay sets the repeat interval for every repeat, not only the first
        ("duration: 1, then: resend, allow_override: true", [at(0, "a", delay=500)],
         [(1, 0), (1, 0.5), (1, 1.0), (1, 1.5), (1, 2.0), (1, 2.5), (1, 3.0), (1, 3.5)]),
        ("then: block", [at(0), at(3)], [(1, 0)]),
        ("then: block", [at(0), (2, {"reset": True}), at(3)], [(1, 0), (1, 3)]),
        ("duration: 3, allow_override: true", [at(0, delay=2000)], [(1, 0), (0, 2)]),
        ("duration: 3", [at(0, delay=2000)], [(1, 0), (0, 3)]),
        (
            "second: {type: msg, value: payload}, second_from: latest, duration: 1",
            [at(0, "a"), at(0.5, "b")],
            [(1, 0), ("b", 1)],
        ),
    ],
)
def test_what_is_sent_when(options: str, inputs: list[Timed], expected: list[Any]) -> None:
    result = run_trigger(options, inputs, until=3.5)
    assert timeline(result) == expected
    assert result.errors == []


@pytest.mark.parametrize(
    ("options", "reset"),
    [
        ("", {"reset": True}),
        ("", {"reset": False, "payload": "anything"}),
        ("reset_payload: stop", {"payload": "stop"}),
        ("reset_payload: 0", {"payload": 0}),
        ("reset_payload: 0", {"payload": "0"}),
        ("reset_payload: true", {"payload": True}),
    ],
)
def test_reset_cancels_the_second_message(options: str, reset: dict[str, Any]) -> None:
    result = run_trigger(options, [at(0), (0.1, reset)])
    assert timeline(result) == [(1, 0)]


def test_a_payload_other_than_the_reset_payload_does_not_reset() -> None:
    result = run_trigger("reset_payload: stop", [at(0), at(0.1, "go")])
    assert timeline(result) == [(1, 0), (0, 0.25)]


def test_each_topic_is_triggered_on_its_own() -> None:
    inputs = [at(0, topic="t1"), at(0.1, topic="t2"), at(0.2, topic="t1")]
    result = run_trigger("group_by: topic", inputs)
    assert [(m["topic"], m["payload"], m["at"]) for m in result.sent("out")] == [
        ("t1", 1, 0),
        ("t2", 1, 0.1),
        ("t1", 0, 0.25),
        ("t2", 0, 0.35),
    ]


def test_all_messages_share_one_trigger_by_default() -> None:
    result = run_trigger("", [at(0, topic="t1"), at(0.1, topic="t2")])
    assert [m["topic"] for m in result.sent("out")] == ["t1", "t1"]


def test_the_second_message_may_go_to_a_second_output() -> None:
    result = run_trigger("second_output: true", [at(0)])
    assert timeline(result) == [(1, 0)]
    assert timeline(result, "second") == [(0, 0.25)]


def test_the_second_message_is_built_from_the_latest_message_when_extended() -> None:
    result = run_trigger("extend: true", [at(0, topic="first"), at(0.1, topic="latest")])
    assert [m["topic"] for m in result.sent("out")] == ["first", "latest"]


def test_status_shows_a_pending_trigger() -> None:
    result = run_trigger("", [at(0)])
    fills = [s["fill"] for node, s in result.statuses if node == "t"]
    assert fills == ["blue", None]


@pytest.mark.parametrize(
    "options", ["duration: 0", "send: none", "then: forever", "second_from: middle"]
)
def test_inconsistent_configuration_is_refused(options: str) -> None:
    with pytest.raises(CheckError):
        run_flow(f"flowrt: 1\nnodes:\n  t: {{type: trigger, {options}}}\n")
