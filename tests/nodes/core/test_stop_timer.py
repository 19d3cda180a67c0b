"""The stop-timer node on the engine's simulated clock: the last message of a burst leaves
`duration` after it came, with the second output's message; `stop` cancels and says so."""

from __future__ import annotations

import json
from typing import Any

from flowrt.testing import FlowResult, run_flow
from tests.nodes.core.stamp import timing_registry


def stop_timer(inputs: list[tuple[float, dict[str, Any]]], **config: Any) -> FlowResult:
    flow = {"flowrt": 1, "nodes": {
        "st": {"type": "stop-timer", **config, "to": {0: "one", 1: "two"}},
        "one": {"type": "stamp"}, "two": {"type": "stamp"}}}
    result = run_flow(json.dumps(flow), inputs, into="st", until=600,
                      registry=timing_registry())
    assert result.errors == [], result.errors
    return result


def test_each_message_restarts_the_wait_and_the_last_leaves_on_both_outputs() -> None:
    result = stop_timer([(0, {"payload": "a"}), (3, {"payload": "b", "topic": "t"})],
                        duration=5, payload="off")
    (first,) = result.sent("one")
    (second,) = result.sent("two")
    assert (first["payload"], first["topic"], first["_timerpass"], first["at"]) == (
        "b", "t", True, 8.0)
    assert (second["payload"], second["topic"], second["at"]) == ("off", "t", 8.0)
    assert first["_msgid"] == second["_msgid"]
    assert result.statuses[-2:] == [
        ("st", {"fill": "green", "shape": "dot", "text": "running"}),
        ("st", {"fill": None, "shape": None, "text": ""})]


def test_stop_cancels_and_sends_stopped_on_the_second_output() -> None:
    result = stop_timer([(0, {"payload": "a"}), (2, {"payload": "STOP", "topic": "x"})],
                        duration=5)
    assert result.sent("one") == []
    assert [(m["payload"], m["topic"], m["at"]) for m in result.sent("two")] == [
        ("stopped", "x", 2.0)]
    assert ("st", {"fill": "red", "shape": "ring", "text": "stopped"}) in result.statuses


def test_after_a_stop_a_message_that_passed_a_stop_timer_is_ignored() -> None:
    result = stop_timer([(0, {"payload": "stop"}), (1, {"payload": "loop", "_timerpass": True}),
                         (2, {"payload": "fresh"}), (3, {"payload": "again",
                                                         "_timerpass": True})], duration=1)
    assert [(m["payload"], m["at"]) for m in result.sent("one")] == [("again", 4.0)]


def test_the_default_second_payload_is_zero() -> None:
    result = stop_timer([(0, {"payload": 1})], duration=0.5)
    assert [(m["payload"], m["at"]) for m in result.sent("two")] == [(0, 0.5)]
