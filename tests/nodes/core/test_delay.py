"""The delay node: fixed, random and per-message delays; rate limits; per-topic release."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import FlowResult, run_flow
from tests.nodes.core.stamp import timing_registry
from tests.run.conftest import SETTLED

Timed = tuple[float, dict[str, Any]]


def run_delay(options: str, inputs: list[Timed], until: float | None = None) -> FlowResult:
    """Run a delay node `d` whose outputs go to stamp nodes `out` (port 0) and `dropped`."""
    wiring = "to: {0: out, 1: dropped}" if "dropped_output: true" in options else "to: out"
    flow = f"""
flowrt: 1
nodes:
  d: {{type: delay, {options}, {wiring}}}
  out: {{type: stamp}}
  dropped: {{type: stamp}}
"""
    return run_flow(flow, inputs=inputs, into="d", until=until, registry=timing_registry())


def timeline(result: FlowResult, node: str = "out") -> list[tuple[Any, float]]:
    return [(m.get("payload"), m["at"]) for m in result.sent(node)]


def at(t: float, payload: Any, **extra: Any) -> Timed:
    return (t, {"payload": payload, **extra})


@pytest.mark.parametrize(
    ("options", "inputs", "expected"),
    [
        ("delay: 5", [at(0, "a"), at(1, "b"), at(1.5, "c")], [("a", 5), ("b", 6), ("c", 6.5)]),
        ("delay: 0", [at(0, "a"), at(1, "b")], [("a", 0), ("b", 1)]),
        (
            "delay: 5, allow_override: true",
            [at(0, "a", delay=2000), at(0, "b", delay="500"), at(0, "c", delay=-3), at(0, "d")],
            [("c", 0), ("b", 0.5), ("a", 2), ("d", 5)],
        ),
        ("delay: 5", [at(0, "a", delay=1000)], [("a", 5)]),
        # reset drops everything held, itself included
        (
            "delay: 5",
            [at(0, "a"), at(1, "b"), at(2, "r", reset=True), at(3, "c")],
            [("c", 8)],
        ),
        # flush sends everything held now; a bare flush only flushes
        ("delay: 5", [at(0, "a"), at(1, "b"), (2, {"flush": True})], [("a", 2), ("b", 2)]),
        ("delay: 5", [at(0, "a"), at(1, "b"), (2, {"flush": 1})], [("a", 2), ("b", 6)]),
        (
            "delay: 5",
            [at(0, "a"), at(1, "b", flush=True)],
            [("a", 1), ("b", 1)],
        ),
    ],
)
def test_delay_mode(options: str, inputs: list[Timed], expected: list[Any]) -> None:
    result = run_delay(options, inputs)
    assert timeline(result) == expected
    assert result.errors == []


def test_random_delays_fall_between_the_bounds() -> None:
    result = run_delay("mode: random, delay: 1, max_delay: 2", [at(0, n) for n in range(20)])
    times = [t for _, t in timeline(result)]
    assert len(times) == 20
    assert all(1 <= t <= 2 for t in times)
    assert len(set(times)) > 1


@pytest.mark.parametrize(
    ("options", "inputs", "expected"),
    [
        (
            "mode: rate",
            [at(0, "a"), at(0, "b"), at(0, "c"), at(5, "d"), at(5.5, "e")],
            [("a", 0), ("b", 1), ("c", 2), ("d", 5), ("e", 6)],
        ),
        (
            "mode: rate, rate: 2",
            [at(0, "a"), at(0, "b"), at(0, "c")],
            [("a", 0), ("b", 0.5), ("c", 1)],
        ),
        (
            "mode: rate, rate: 3, per: 60",
            [at(0, "a"), at(0, "b")],
            [("a", 0), ("b", 20)],
        ),
        (
            "mode: rate",
            [at(0, "a"), at(0, "b"), at(0, "c", toFront=True)],
            [("a", 0), ("c", 1), ("b", 2)],
        ),
        # reset drops the queue and forgets the rate limit
        (
            "mode: rate",
            [at(0, "a"), at(0, "b"), at(0, "c"), (0.5, {"reset": True}), at(0.6, "d")],
            [("a", 0), ("d", 0.6)],
        ),
        # flush sends the queue now
        (
            "mode: rate",
            [at(0, "a"), at(0, "b"), at(0, "c"), (0.2, {"flush": True})],
            [("a", 0), ("b", 0.2), ("c", 0.2)],
        ),
        (
            "mode: rate, allow_override: true",
            [at(0, "a", rate=2000), at(0, "b"), at(0, "c")],
            [("a", 0), ("b", 2), ("c", 4)],
        ),
    ],
)
def test_rate_mode_queues(options: str, inputs: list[Timed], expected: list[Any]) -> None:
    result = run_delay(options, inputs)
    assert timeline(result) == expected
    assert result.errors == []


@pytest.mark.parametrize(
    ("options", "expected", "dropped"),
    [
        ("mode: rate, drop: true", [("a", 0), ("c", 1), ("e", 2.5)], []),
        (
            "mode: rate, drop: true, dropped_output: true",
            [("a", 0), ("c", 1), ("e", 2.5)],
            [("b", 0.5), ("d", 1.2)],
        ),
    ],
)
def test_rate_mode_drops(options: str, expected: list[Any], dropped: list[Any]) -> None:
    inputs = [at(0, "a"), at(0.5, "b"), at(1, "c"), at(1.2, "d"), at(2.5, "e")]
    result = run_delay(options, inputs)
    assert timeline(result) == expected
    assert timeline(result, "dropped") == dropped


@pytest.mark.parametrize(
    ("options", "expected", "dropped"),
    [
        ("mode: topic", [("c", 1), ("b", 2)], []),
        ("mode: topic, release: all", [("c", 1), ("b", 1)], []),
        ("mode: topic, dropped_output: true", [("c", 1), ("b", 2)], [("a", 0.3)]),
    ],
)
def test_topic_mode_keeps_the_latest_of_each_topic(
    options: str, expected: list[Any], dropped: list[Any]
) -> None:
    inputs = [at(0.1, "a", topic="t1"), at(0.2, "b", topic="t2"), at(0.3, "c", topic="t1")]
    result = run_delay(options, inputs)
    assert timeline(result) == expected
    assert timeline(result, "dropped") == dropped


def test_topic_mode_gives_a_message_without_a_topic_node_red_s_none_topic() -> None:
    inputs = [at(0.1, "a"), at(0.2, "b", topic="_none_"), at(0.3, "c", topic=None),
              at(0.4, "d", topic="t")]
    result = run_delay("mode: topic, release: all", inputs)
    assert [(m["payload"], m["topic"]) for m in result.sent("d")] == [
        ("b", "_none_"), ("c", None), ("d", "t")]  # "a" was replaced by "b", of the same topic
    rate = run_delay("rate: 5", [at(0.1, "a")])
    assert "topic" not in rate.sent("d")[0]  # only the topic mode does it, as in Node-RED


def test_topic_mode_releases_on_intervals_counted_from_the_start() -> None:
    result = run_delay("mode: topic, per: 10", [at(25, "a", topic="x")])
    assert timeline(result) == [("a", 30)]


def most_held(result: FlowResult) -> int:
    return max(int(s["text"]) for node, s in result.statuses if node == "d")


def test_a_flood_waits_for_the_delay_instead_of_being_refused() -> None:
    """Over `max_queue` held messages, the source waits: nothing is refused or dropped."""
    flow = """
flowrt: 1
nodes:
  numbers: {type: numbers, count: 50, ack: false, to: d}
  d: {type: delay, mode: rate, rate: 10, per: 1, max_queue: 5, to: out}
  out: {type: stamp}
"""
    result = run_flow(flow, registry=timing_registry(), until=20)
    assert result.payloads("out") == list(range(50))
    assert result.errors == []
    assert most_held(result) == 6  # the source read once more than 5, then waited
    times = [m["at"] for m in result.sent("out")]
    assert times[-1] == pytest.approx(4.9)  # one every 0.1 s from the start: the rate kept


def test_delay_mode_paces_its_source_too() -> None:
    flow = """
flowrt: 1
nodes:
  numbers: {type: numbers, count: 30, ack: false, to: d}
  d: {type: delay, delay: 2, max_queue: 10, to: out}
  out: {type: stamp}
"""
    result = run_flow(flow, registry=timing_registry(), until=30)
    assert result.payloads("out") == list(range(30))
    assert result.errors == []
    assert most_held(result) == 11


def test_a_file_read_line_by_line_is_paced_by_a_rate_limit(tmp_path: Path) -> None:
    """3,000 lines into a 1,000/s rate limit: every line passes, none goes to catch."""
    path = tmp_path / "lines.txt"
    path.write_text("".join(f"line {i}\n" for i in range(3000)))
    flow = f"""
flowrt: 1
nodes:
  read: {{type: file-in, filename: {str(path)!r}, format: lines, to: d}}
  d: {{type: delay, mode: rate, rate: 1000, per: 1, max_queue: 100, to: out}}
  out: {{type: stamp}}
  errors: {{type: catch, to: caught}}
  caught: {{type: stamp}}
"""
    result = run_flow(flow, inputs=[{"payload": ""}], into="read", until=10,
                      registry=timing_registry())
    assert result.payloads("caught") == []
    assert result.payloads("out") == [f"line {i}" for i in range(3000)]
    assert most_held(result) <= 101


def test_status_shows_the_queue() -> None:
    result = run_delay("mode: rate", [at(0, "a"), at(0, "b"), at(0, "c")])
    texts = [s["text"] for node, s in result.statuses if node == "d"]
    assert texts[-1] == "0"
    assert "2" in texts


def test_delayed_messages_are_acknowledged_once_sent_and_given_back_at_shutdown() -> None:
    flow = """
flowrt: 1
nodes:
  numbers: {type: numbers, count: 3, to: d}
  d: {type: delay, mode: rate, per: 10}
"""
    SETTLED.clear()
    result = run_flow(flow, registry=timing_registry(), until=15)
    assert result.payloads("d") == [0, 1]
    assert sorted(SETTLED["numbers"], key=lambda s: s[1]) == [
        ("ack", 0),
        ("ack", 1),
        ("nack", 2),
    ]


@pytest.mark.parametrize(
    "options",
    [
        "mode: random",
        "mode: random, delay: 3, max_delay: 2",
        "max_delay: 3",
        "drop: true",
        "dropped_output: true",
        "mode: rate, dropped_output: true",
        "mode: rate, rate: 0",
        "delay: -1",
    ],
)
def test_inconsistent_configuration_is_refused(options: str) -> None:
    with pytest.raises(CheckError):
        run_flow(f"flowrt: 1\nnodes:\n  d: {{type: delay, {options}}}\n")
