"""The countdown node on the engine's simulated clock: start and stop messages, the seconds
left every second, stops by `false`/`0`, restarts and control messages."""

from __future__ import annotations

import json
from typing import Any

from flowrt.testing import FlowResult, run_flow
from tests.nodes.core.stamp import timing_registry


def countdown(inputs: list[tuple[float, dict[str, Any]]], until: float = 60,
              **config: Any) -> FlowResult:
    flow = {"flowrt": 1, "nodes": {
        "cd": {"type": "countdown", **config, "to": {0: "edges", 1: "left"}},
        "edges": {"type": "stamp"}, "left": {"type": "stamp"}}}
    result = run_flow(json.dumps(flow), inputs, into="cd", until=until,
                      registry=timing_registry())
    assert result.errors == [], result.errors
    return result


def sent(result: FlowResult, node: str) -> list[tuple[Any, float]]:
    return [(m["payload"], m["at"]) for m in result.sent(node)]


def test_a_countdown_starts_ticks_and_ends() -> None:
    result = countdown([(0, {"payload": "go"})], duration=3, topic="t")
    assert sent(result, "edges") == [(True, 0.0), (False, 3.0)]
    assert sent(result, "left") == [(2, 1.0), (1, 2.0), (0, 3.0)]
    assert {m["topic"] for m in result.sent("edges")} == {"t"}
    assert all("topic" not in m for m in result.sent("left"))
    assert result.statuses[0] == ("cd", {"fill": "red", "shape": "dot", "text": "Stopped: 3"})
    assert result.statuses[-1] == ("cd", {"fill": "red", "shape": "dot", "text": "Stopped: 3"})


def test_false_or_zero_stops_it_with_the_stop_message_only_when_asked() -> None:
    quiet = countdown([(0, {"payload": 1}), (1.5, {"payload": False})], duration=5)
    assert sent(quiet, "edges") == [(True, 0.0)]
    assert sent(quiet, "left") == [(4, 1.0), (0, 1.5)]
    told = countdown([(0, {"payload": 1}), (1.5, {"payload": 0})], duration=5,
                     output_on_reset=True, stop_payload="halt")
    assert sent(told, "edges") == [(True, 0.0), ("halt", 1.5)]


def test_a_start_while_running_restarts_only_with_restart() -> None:
    inputs = [(0, {"payload": 1}), (1.5, {"payload": 1})]
    assert sent(countdown(inputs, duration=2), "left") == [(1, 1.0), (0, 2.0)]
    assert sent(countdown(inputs, duration=2, restart=True), "left") == [
        (1, 1.0), (1, 2.5), (0, 3.5)]


def test_control_messages_set_the_length_and_the_seconds_left() -> None:
    result = countdown([(0, {"topic": "control", "payload": "4"}), (1, {"payload": 1}),
                        (2.5, {"topic": "control", "payload": 2.2})], duration=10)
    # 2.2 seconds left: 1.2, then 0.2, which is neither above 1 nor 1: it never ends
    assert sent(result, "left") == [(3, 2.0), (1.2000000000000002, 3.0),
                                    (0.20000000000000018, 4.0)]
    assert sent(result, "edges") == [(True, 1.0)]
    started = countdown([(0, {"topic": "control", "payload": 2})], duration=10,
                        start_on_control=True, start_payload=None)
    assert sent(started, "edges") == [(False, 2.0)]


def test_a_stop_payload_from_the_last_message() -> None:
    result = countdown([(0, {"payload": 1, "reading": 7})], duration=1,
                       stop_payload={"type": "msg", "value": "reading"})
    assert sent(result, "edges") == [(True, 0.0), (7, 1.0)]
