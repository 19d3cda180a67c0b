"""A source's acknowledgement window never stalls the sinks: when as many of its messages are
in the flow as the broker lets it have, a sink writes its partial batch at once instead of
waiting out its batch_interval for messages that cannot come, whether or not the source
declared its window. Timed on the virtual clock."""

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


def test_an_undeclared_window_stalls_no_batch_either(registry: Registry) -> None:
    """The same flow with the window kept from the engine: the source waits for
    acknowledgements with nothing at hand, which is all a sink needs to see
    (flowrt/run/inflow.py). Before that, each batch waited its full 10 s."""
    result = run_flow(FLOW.format(declare="false"), registry=registry)
    assert WRITTEN["out"] == list(range(20))
    assert result.runtime is not None
    assert result.runtime.nodes["out"].batches == [5, 5, 5, 5]  # type: ignore[attr-defined]
    assert result.elapsed == 0.0
    assert result.runtime.queues["out"].batches["interval"] == 0


def test_the_window_counts_only_messages_still_in_the_flow(registry: Registry) -> None:
    result = run_flow(FLOW.format(declare="true"), registry=registry)
    assert result.runtime is not None
    assert result.runtime.windows.by_source["src"] == [0, 5]
