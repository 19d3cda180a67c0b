"""The load-injector node on simulated time: a run's messages, its end with the count, a stop,
and messages passed through."""

from __future__ import annotations

import json
from typing import Any

from flowrt.testing import run_flow

START = 1767225600000
"""The test clock's start in epoch milliseconds (flowrt.testing)."""


def run(inputs: list[dict[str, Any]], until: float = 30, **config: Any) -> tuple[list[Any],
                                                                               list[Any]]:
    flow = {"flowrt": 1, "nodes": {"l": {
        "type": "load-injector", "think_time_min": 1000, "think_time_max": 1000,
        "runtime": 5.5, "payload": {"type": "date"}, "topic": "t", **config}}}
    result = run_flow(json.dumps(flow), inputs, into="l", until=until)
    assert result.errors == []
    return result.sent("l", 0), result.sent("l", 1)


def test_a_run_sends_at_the_think_time_until_its_end() -> None:
    sent, (stats,) = run([{"topic": "loadinjector.start"}])
    assert [m["payload"] for m in sent] == [START + 1000 * i for i in range(6)]
    assert {m["topic"] for m in sent} == {"t"}
    assert stats["payload"] == {"count": 6, "started": START, "stopped": START + 5500}


def test_random_waits_stay_between_the_bounds() -> None:
    sent, (stats,) = run([{"topic": "loadinjector.start"}], think_time_min=200,
                         think_time_max=300, runtime=20)
    times = [m["payload"] for m in sent]
    assert all(200 <= b - a <= 300 for a, b in zip(times, times[1:], strict=False))
    assert stats["payload"]["count"] == len(sent) >= 20000 // 300


def test_other_messages_pass_through_filled_and_ids_as_topics() -> None:
    sent, stats = run([{"payload": "x", "keep": 1}], topic_id=True, payload="p")
    assert stats == [] and sent[0]["keep"] == 1 and sent[0]["payload"] == "p"
    assert len(sent[0]["topic"]) == 16 and int(sent[0]["topic"], 16) >= 0


def test_a_stop_ends_the_run_with_its_count() -> None:
    flow = {"flowrt": 1, "nodes": {
        "go": {"type": "inject", "topic": "loadinjector.start", "once": True, "to": "l"},
        "halt": {"type": "inject", "topic": "loadinjector.stop", "once": True,
                 "once_delay": 2.6, "to": "l"},
        "l": {"type": "load-injector", "think_time_min": 1000, "think_time_max": 1000,
              "runtime": 60}}}
    result = run_flow(json.dumps(flow), until=90)
    assert len(result.sent("l", 0)) == 3
    (stats,) = result.sent("l", 1)
    assert stats["payload"]["count"] == 3
