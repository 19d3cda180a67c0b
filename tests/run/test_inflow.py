"""A sink waits for its batch to fill only while messages are coming (flowrt/run/inflow.py):
when no source is in the middle of what it has at hand and no asynchronous transform holds a
message, the partial batch is written at once; while they are, it waits, up to
batch_interval. Timed on the virtual clock, so every figure here is exact."""

from __future__ import annotations

from typing import Any

from flowrt.registry import Registry
from flowrt.run.workers import YIELD_EVERY
from flowrt.testing import run_flow
from tests.run.conftest import WRITTEN


def flow(nodes: str) -> str:
    return "flowrt: 1\nnodes:\n" + "\n".join("  " + line for line in nodes.strip().splitlines())


def sink(result: Any, node: str = "out") -> Any:
    return result.runtime.nodes[node]


def written_at(result: Any, node: str = "out") -> list[float]:
    """When each batch was written, in seconds from the start."""
    clock = result.runtime.clock
    return [t - clock.start for t in sink(result, node).times]


def test_each_burst_is_written_as_one_batch_when_it_ends_without_waiting(
    registry: Registry,
) -> None:
    # big-batch: up to 50 messages, waiting up to 10 s. Bursts of 10, 5 s apart: the old rule
    # wrote each burst 10 s late (after the next burst had come, even, as one batch of 20)
    result = run_flow(flow("""
src: {type: bursts, bursts: 3, size: 10, pause: 5, to: out}
out: {type: big-batch}
"""), registry=registry)
    assert WRITTEN["out"] == list(range(30))
    assert sink(result).batches == [10, 10, 10]
    assert written_at(result) == [0.0, 5.0, 10.0]  # written the moment each burst ended
    assert result.runtime.queues["out"].batches == {"full": 0, "idle": 3, "interval": 0}


def test_a_batch_waits_while_the_source_is_still_in_its_burst(registry: Registry) -> None:
    # a burst longer than the source reads without yielding to other tasks: the sink runs
    # in between, but the source is still busy, so the batch keeps filling
    size = YIELD_EVERY * 3 + 5
    result = run_flow(flow(f"""
src: {{type: bursts, bursts: 2, size: {size}, pause: 1, to: out}}
out: {{type: collect-big}}
"""), registry=registry)
    assert WRITTEN["out"] == list(range(2 * size))
    assert sink(result).batches == [size, size]
    assert written_at(result) == [0.0, 1.0]


def test_a_message_on_its_way_through_an_async_transform_is_waited_for(
    registry: Registry,
) -> None:
    # the source is done at once, but `slow` holds the messages for 1 s each: the batch waits
    # for the last of them rather than being written message by message
    result = run_flow(flow("""
src: {type: bursts, bursts: 1, size: 4, to: s}
s: {type: slow, seconds: 1, to: out}
out: {type: big-batch}
"""), registry=registry)
    assert WRITTEN["out"] == [0, 1, 2, 3]
    assert sink(result).batches == [4]
    assert written_at(result) == [4.0]


def test_a_batch_still_ends_at_its_interval_while_messages_keep_coming(
    registry: Registry,
) -> None:
    # an async transform that never runs dry for 20 s: the batch cannot wait for it to end
    result = run_flow(flow("""
src: {type: bursts, bursts: 1, size: 20, to: s}
s: {type: slow, seconds: 1, to: out}
out: {type: big-batch}
"""), registry=registry)
    assert WRITTEN["out"] == list(range(20))
    assert sink(result).batches == [10, 10]  # 10 s interval from the first at 1 s
    assert written_at(result) == [11.0, 20.0]
    assert result.runtime.queues["out"].batches == {"full": 0, "idle": 1, "interval": 1}


def test_a_full_batch_is_written_without_waiting(registry: Registry) -> None:
    result = run_flow(flow("""
src: {type: bursts, bursts: 1, size: 9, to: out}
out: {type: batched}
"""), registry=registry)
    assert sink(result).batches == [4, 4, 1]
    assert written_at(result) == [0.0, 0.0, 0.0]
    assert result.runtime.queues["out"].batches["interval"] == 0
