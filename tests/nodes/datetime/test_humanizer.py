"""The humanizer node: seconds in moment.js's English words, into the payload object."""

from __future__ import annotations

import json
from typing import Any

from flowrt.testing import run_flow


def humanize(*payloads: Any, **config: Any) -> tuple[list[Any], int]:
    flow = {"flowrt": 1, "nodes": {"h": {"type": "humanizer", **config}}}
    result = run_flow(json.dumps(flow), [{"payload": p} for p in payloads], into="h")
    assert result.errors == []
    return [m["payload"] for m in result.sent("h")], len(result.warnings)


def test_words_by_moment_thresholds() -> None:
    # the texts moment.duration(n, "seconds").humanize() gives
    sent, warned = humanize(0, 44, 45, 3600, 5400, 86400 * 40, 86400 * 400)
    assert [p["humanized"] for p in sent] == [
        "a few seconds", "a few seconds", "a minute", "an hour", "2 hours", "a month",
        "a year"]
    assert warned == 0


def test_object_payloads_keep_their_properties_and_read_input() -> None:
    sent, _ = humanize({"secs": 120, "keep": 1}, input="secs")
    assert sent == [{"secs": 120, "keep": 1, "humanized": "2 minutes"}]


def test_what_is_no_whole_number_is_dropped_with_a_warning() -> None:
    sent, warned = humanize(1.5, "10", True)
    assert (sent, warned) == ([], 3)
