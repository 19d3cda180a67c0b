"""The path recorder (flowrt.run.paths): the nodes a sampled message visited, with their
times, across a fan-out, a link call, a subflow, a switch that drops it, a catch; sampling;
bounded memory; nothing recorded or added to messages when off or not sampled."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from flowrt.run import paths
from flowrt.run.tracing import TRACE_KEY, record_paths
from flowrt.testing import run_flow


@contextmanager
def recording(sample: str = "1") -> Iterator[paths.Paths]:
    recorder = paths.configure(paths.parse_sample(sample))
    assert recorder is not None
    try:
        yield recorder
    finally:
        paths.configure(paths.Sample())


def only_trace(recorder: paths.Paths) -> list[dict[str, Any]]:
    assert len(recorder.traces) == 1, list(recorder.traces)
    found = recorder.path(next(iter(recorder.traces)))
    assert found is not None
    return found


def senders(visits: list[dict[str, Any]]) -> dict[str, str | None]:
    """Node -> the node that sent it the message (None: where the path starts)."""
    out: dict[str, str | None] = {}
    for v in visits:
        assert v["node"] not in out, f"{v['node']} visited twice"
        out[v["node"]] = None if v["from"] is None else visits[v["from"]]["node"]
    return out


MAIN = """
flowrt: 1
id: main
subflows:
  tag:
    input: mark
    outputs: 1
    nodes:
      mark: {type: change, rules: [{set: payload.tagged, to: true}], to: $out}
nodes:
  go: {type: inject, once: true, payload: {type: json, value: '{"n": 1}'}, to: start}
  start: {type: change, rules: [{set: topic, to: t}], to: [sw, side]}
  sw: {type: switch, property: payload.n, rules: [{gt: 0}], to: {0: call}}
  side: {type: change, rules: [{set: payload.side, to: true}]}
  call: {type: link-call, target: double-in, timeout: 5, to: sub}
  sub: {type: "subflow:tag", to: last}
  last: {type: change, rules: [{set: payload.done, to: true}], to: out}
  out: {type: debug}
"""
SERVICE = """
flowrt: 1
id: service
nodes:
  double-in: {type: link-in, to: double}
  double: {type: change, rules: [{set: payload.doubled, to: true}], to: back}
  back: {type: link-out, mode: return}
"""


def test_a_path_across_a_fan_out_a_link_call_and_a_subflow() -> None:
    with recording() as recorder:
        result = run_flow(MAIN, others=[SERVICE], until=1)
    assert result.errors == []
    visits = only_trace(recorder)
    assert senders(visits) == {
        "go": None, "start": "go", "sw": "start", "side": "start",
        "call": "sw", "double": "call", "back": "double",
        "sub/mark": "back", "last": "sub/mark", "out": "last",
    }
    assert {v["flow"] for v in visits if v["node"] in ("double", "back")} == {"service"}
    assert {v["flow"] for v in visits if v["node"] == "start"} == {"main"}
    for v in visits:
        assert v["duration_us"] is not None and v["duration_us"] >= 0, v
        assert set(v) == {"node", "flow", "type", "start", "duration_us", "from", "error"}
    assert [v["start"] for v in visits] == sorted(v["start"] for v in visits)


SWITCH_DROPS = """
flowrt: 1
id: drops
nodes:
  go: {type: inject, once: true, payload: 5, to: sw}
  sw: {type: switch, property: payload, rules: [{gt: 10}], to: {0: big}}
  big: {type: debug}
"""


def test_a_switch_that_drops_the_message_ends_its_path() -> None:
    with recording() as recorder:
        run_flow(SWITCH_DROPS, until=1)
    assert senders(only_trace(recorder)) == {"go": None, "sw": "go"}


MAKING = """
flowrt: 1
id: making
nodes:
  go: {type: inject, once: true, payload: x, to: make}
  make:
    type: script
    code: |
      node.send({"payload": "sent"})
      return {"payload": "returned"}
    to: seen
  seen: {type: debug}
"""


def test_messages_a_node_makes_while_visited_are_on_the_path() -> None:
    with recording() as recorder:
        result = run_flow(MAKING, until=1)
    assert result.errors == []
    visits = only_trace(recorder)
    assert [(v["node"], v["from"]) for v in visits] == [
        ("go", None), ("make", 0), ("seen", 1), ("seen", 1)]


CATCHING = """
flowrt: 1
id: catching
nodes:
  go: {type: inject, once: true, payload: x, to: fail}
  fail: {type: script, code: "raise ValueError('no: ' + msg['payload'])"}
  caught: {type: catch, to: seen}
  seen: {type: debug}
"""


def test_a_catch_node_follows_the_visit_that_failed() -> None:
    with recording() as recorder:
        result = run_flow(CATCHING, until=1)
    assert [e.caught for e in result.errors] == [True]
    visits = only_trace(recorder)
    assert senders(visits) == {"go": None, "fail": "go", "caught": "fail", "seen": "caught"}
    failed = next(v for v in visits if v["node"] == "fail")
    assert failed["error"] == "ScriptError"  # its type: nothing of its text


REPEAT = """
flowrt: 1
id: busy
nodes:
  tick: {type: inject, repeat: 0.01, payload: x, to: seen}
  seen: {type: debug}
"""


def test_the_first_n_a_second_are_sampled() -> None:
    now = [100.0]
    recorder = paths.Paths(paths.parse_sample("3/s"), clock=lambda: now[0])
    record_paths(recorder)
    try:
        result = run_flow(REPEAT, until=0.5)
        assert len(recorder.traces) == 3  # 50 messages within one second: the first three
        now[0] += 1.0
        run_flow(REPEAT, until=0.5)
        assert len(recorder.traces) == 6  # the next second: three more
    finally:
        record_paths(None)
    assert result.errors == []
    for trace in recorder.traces:
        assert senders(recorder.path(trace) or []) == {"tick": None, "seen": "tick"}


def test_memory_is_bounded() -> None:
    with recording() as recorder:
        recorder.keep = 5
        recorder.max_visits = 3
        run_flow(REPEAT, until=0.2)
        run_flow(MAIN, others=[SERVICE], until=1)
    assert len(recorder.traces) == 5
    assert max(len(v) for v in recorder.traces.values()) == 3


def test_off_nothing_is_recorded_or_added_to_messages() -> None:
    paths.configure(paths.parse_sample("off"))
    assert paths.recorder() is None
    result = run_flow(MAIN, others=[SERVICE], until=1)
    assert result.errors == []
    arrived = [m for node in ("start", "double", "last", "out") for m in result.received(node)]
    assert len(arrived) == 4
    assert all(TRACE_KEY not in msg for msg in arrived)


def test_a_message_not_sampled_carries_no_trace() -> None:
    recorder = paths.Paths(paths.parse_sample("1/s"), clock=lambda: 100.0)
    record_paths(recorder)
    try:
        result = run_flow(REPEAT, until=0.3)
    finally:
        record_paths(None)
    assert len(recorder.traces) == 1
    sent = result.received("seen")
    assert len(sent) > 5
    assert [TRACE_KEY in msg for msg in sent] == [True] + [False] * (len(sent) - 1)


@pytest.mark.parametrize("text", ["2", "-0.1", "ten/s", "5/m"])
def test_a_wrong_sample_is_named(text: str) -> None:
    with pytest.raises(ValueError, match="FLOWRT_PATH_SAMPLE"):
        paths.parse_sample(text)


def test_the_sample_settings() -> None:
    assert str(paths.parse_sample(None)) == "10/s"
    assert str(paths.parse_sample("0.25")) == "0.25"
    assert paths.parse_sample("off").off and paths.parse_sample("0").off
    assert paths.sample_setting({"FLOWRT_PATH_SAMPLE": "7/s"}).per_second == 7


def test_with_opentelemetry_on_the_paths_are_those_of_its_traces() -> None:
    from tests.support.tracing import recording as tracing_on

    with recording() as recorder, tracing_on() as exported:
        result = run_flow(MAIN, others=[SERVICE], until=1)
    assert result.errors == []
    spans = exported.get_finished_spans()
    assert list(recorder.traces) == [f"{spans[0].context.trace_id:032x}"]
    assert senders(only_trace(recorder)) == {
        "go": None, "start": "go", "sw": "start", "side": "start",
        "call": "sw", "double": "call", "back": "double",
        "sub/mark": "back", "last": "sub/mark", "out": "last",
    }


def test_off_no_node_is_wrapped_on_every_node_is() -> None:
    paths.configure(paths.Sample())
    off = run_flow(MAIN, others=[SERVICE], until=1).runtime
    assert off is not None and all(ctx.trace is None for ctx in off.contexts.values())
    with recording("10/s"):
        on = run_flow(MAIN, others=[SERVICE], until=1).runtime
    assert on is not None and all(ctx.trace is not None and not ctx.trace.remote
                                  for ctx in on.contexts.values())


FOREIGN = """
flowrt: 1
id: foreign
nodes:
  go: {type: inject, once: true, payload: x, to: mark}
  mark: {type: change, rules: [{set: _traceparent, to: %s}], to: next}
  next: {type: change, rules: [{set: topic, to: t}], to: seen}
  seen: {type: debug}
"""


@pytest.mark.parametrize("value", ["5", "junk", "'00-zz-zz-01'", "{type: json, value: '[1]'}"])
def test_a_flow_s_own_traceparent_fails_no_node(value: str) -> None:
    """A message whose ``_traceparent`` a flow set to something that is no trace of ours is
    passed on as it is: no node fails on it, and no visit is recorded under it."""
    with recording() as recorder:
        result = run_flow(FOREIGN % value, until=1)
    assert result.errors == []
    assert [m["topic"] for m in result.received("seen")] == ["t"]
    assert all(len(t) == 32 for t in recorder.traces)
    for trace in recorder.traces:
        nodes = [v["node"] for v in recorder.path(trace) or []]
        assert nodes[:2] == ["go", "mark"], nodes
