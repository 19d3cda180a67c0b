"""A source's acknowledgement window reaches the sinks: when as many of its messages are in
the flow as the broker lets it have, a sink writes its partial batch at once instead of waiting
out its batch_interval for messages that cannot come. Timed on the virtual clock."""

from __future__ import annotations

from flowrt.registry import Registry
from flowrt.testing import run_flow
from tests.run.conftest import SETTLED, WRITTEN

FLOW = """\
flowrt: 1
nodes:
  src: {{type: windowed, count: 20, window: 5, declare: {declare}, to: out}}
  out: {{type: big-batch}}
"""


def test_a_full_window_makes_the_sink_write_its_partial_batch_at_once(
    registry: Registry,
) -> None:
    result = run_flow(FLOW.format(declare="true"), registry=registry)
    assert WRITTEN["out"] == list(range(20))
    assert [n for kind, n in SETTLED["src"] if kind == "ack"] == list(range(20))
    assert result.runtime is not None
    sink = result.runtime.nodes["out"]
    assert sink.batches == [5, 5, 5, 5]  # type: ignore[attr-defined]
    assert result.elapsed < 10, "no batch waited for its interval"


def test_without_a_declared_window_each_batch_waits_its_interval(registry: Registry) -> None:
    """The same flow with the window kept from the engine: the behaviour the window fixes."""
    result = run_flow(FLOW.format(declare="false"), registry=registry)
    assert WRITTEN["out"] == list(range(20))
    assert result.runtime is not None
    assert result.runtime.nodes["out"].batches == [5, 5, 5, 5]  # type: ignore[attr-defined]
    assert result.elapsed >= 40, "four batches, each waiting 10 s"


def test_the_window_counts_only_messages_still_in_the_flow(registry: Registry) -> None:
    result = run_flow(FLOW.format(declare="true"), registry=registry)
    assert result.runtime is not None
    assert result.runtime.windows.by_source["src"] == [0, 5]
