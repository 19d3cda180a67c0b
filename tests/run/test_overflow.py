"""A sink's buffer and overflow policy (SinkConfig): block pauses the sources, the drop
policies give messages up with an error that names the node, and never silently."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.registry import Registry
from flowrt.testing import run_flow
from tests.run.conftest import SETTLED, WRITTEN


def flow(count: int, sink: str) -> str:
    return (
        "flowrt: 1\nnodes:\n"
        f"  src: {{type: numbers, count: {count}, to: out}}\n"
        f"  out: {{type: stalled, {sink}}}\n"
    )


def settled(kind: str) -> list[int]:
    return [payload for what, payload in SETTLED["src"] if what == kind]


def test_block_holds_every_message_and_pauses_the_sources(registry: Registry) -> None:
    result = run_flow(flow(200, "buffer: 10"), registry=registry)
    node: Any = result.runtime.nodes["out"]  # type: ignore[union-attr]
    assert WRITTEN["out"] == list(range(200))
    assert not result.errors
    assert sorted(settled("ack")) == list(range(200))
    # the source paused while the queue was over its bound, so it never grew far past it
    assert node.longest <= 10 + 64 + 1


@pytest.mark.parametrize("policy", ["drop-oldest", "drop-newest"])
def test_a_drop_policy_fails_what_it_drops_and_loses_nothing_silently(
    registry: Registry, policy: str
) -> None:
    result = run_flow(flow(40, f"buffer: 5, overflow: {policy}"), registry=registry)
    written = WRITTEN["out"]
    dropped = [e.msg["payload"] for e in result.errors if e.msg is not None]
    assert len(written) + len(dropped) == 40
    assert sorted(written + dropped) == list(range(40))
    assert dropped, "a stalled server with a buffer of 5 must drop some of 40 messages"
    assert len(dropped) == len(result.errors)
    assert all(e.node == "out" and "buffer full (5 messages waiting)" in e.message
               for e in result.errors)
    # each dropped message is nacked at its source, each written one acked
    assert sorted(settled("nack")) == sorted(dropped)
    assert sorted(settled("ack")) == sorted(written)
    if policy == "drop-oldest":
        assert written[-5:] == list(range(35, 40))
    else:
        assert written[:5] == list(range(5))  # the first to arrive are kept


def test_a_catch_node_sees_what_the_buffer_dropped(registry: Registry) -> None:
    result = run_flow(
        flow(30, "buffer: 3, overflow: drop-newest")
        + "  oops: {type: catch, to: log}\n  log: {type: peek}\n",
        registry=registry,
    )
    caught = result.received("log")
    assert caught, "the dropped messages reach the catch node"
    assert all(m["error"]["source"]["id"] == "out" for m in caught)
    assert len(caught) + len(WRITTEN["out"]) == 30
