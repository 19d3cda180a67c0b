"""The delay node's burst mode (Node-RED 4.1's `burst` rate limit) on the simulated clock:
at most `rate` messages within any `per` seconds, each slot freed `per` seconds after its
message was sent."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.errors import CheckError
from tests.nodes.core.test_delay import at, run_delay, timeline

INPUTS = [at(0, "a"), at(0.2, "b"), at(0.5, "c"), at(1.1, "d"), at(1.15, "e"), at(1.3, "f"),
          at(2.4, "g")]


@pytest.mark.parametrize(
    ("options", "expected", "dropped"),
    [
        # a frees its slot at 1, b at 1.2: d passes, e is over, f takes b's slot; d's and
        # f's slots free at 2.1 and 2.3
        ("mode: burst, rate: 2", [("a", 0), ("b", 0.2), ("d", 1.1), ("f", 1.3), ("g", 2.4)],
         []),
        ("mode: burst, rate: 2, dropped_output: true",
         [("a", 0), ("b", 0.2), ("d", 1.1), ("f", 1.3), ("g", 2.4)],
         [("c", 0.5), ("e", 1.15)]),
        ("mode: burst, rate: 3, per: 2",
         [("a", 0), ("b", 0.2), ("c", 0.5), ("g", 2.4)], []),
    ],
)
def test_burst_mode_lets_rate_messages_through_per_window(
    options: str, expected: list[Any], dropped: list[Any]
) -> None:
    result = run_delay(options, INPUTS)
    assert result.errors == []
    assert timeline(result) == expected
    assert timeline(result, "dropped") == dropped


def test_reset_frees_every_slot_and_is_not_sent() -> None:
    inputs = [at(0, "a"), at(0.1, "b"), at(0.2, "r", reset=True), at(0.3, "c"), at(0.4, "d"),
              at(0.5, "e")]
    result = run_delay("mode: burst, rate: 2, dropped_output: true", inputs)
    assert timeline(result) == [("a", 0), ("b", 0.1), ("c", 0.3), ("d", 0.4)]
    assert timeline(result, "dropped") == [("e", 0.5)]


def test_status_ring_then_dot_when_over_then_ring_when_a_slot_frees() -> None:
    result = run_delay("mode: burst, rate: 1", [at(0, "a"), at(0.5, "b"), at(2, "c")])
    shapes = [(s.get("fill"), s.get("shape")) for node, s in result.statuses if node == "d"]
    assert shapes[:3] == [("green", "ring"), ("red", "dot"), ("green", "ring")]
    assert timeline(result) == [("a", 0), ("c", 2)]


def test_drop_belongs_to_the_rate_mode() -> None:
    with pytest.raises(CheckError):
        run_delay("mode: burst, drop: true", [at(0, "a")])
