"""The monitor-flow node: messages pass unchanged; the status counts them per second, ten
seconds, minute and five minutes, on simulated time."""

from __future__ import annotations

import json

from flowrt.testing import run_flow


def test_messages_pass_and_the_rates_are_shown() -> None:
    flow = {"flowrt": 1, "nodes": {
        "tick": {"type": "inject", "repeat": 0.25, "payload": "x", "to": "rate"},
        "rate": {"type": "monitor-flow", "to": "show"}, "show": {"type": "debug"}}}
    result = run_flow(json.dumps(flow), until=80)
    assert {m["payload"] for m in result.received("show")} == {"x"}
    texts = [s.get("text") for node, s in result.statuses if node == "rate"]
    assert texts[0] == "No flow"
    assert "Rate s/10s/1m/5m 4/40/" in " ".join(texts)  # four a second, forty in ten
    assert texts[-1].startswith("Rate s/10s/1m/5m 4/40/240/")
