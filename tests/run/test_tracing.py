"""Message tracing (flowrt.run.tracing): a message's path through the nodes is one trace of
spans, each the child of the node that sent the message, across link calls and subflows; a
message held by a node (a delay) is in its span until let go; off, nothing is imported or
added to messages; sampling; the settings are checked."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from opentelemetry.sdk.trace.sampling import ALWAYS_ON, ParentBased, TraceIdRatioBased

from flowrt.run.tracing import TRACE_KEY, settings, valid_traceparent
from flowrt.testing import run_flow
from tests.support.tracing import of_node, one, parent_node, recording

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
  start: {type: change, rules: [{set: topic, to: t}], to: [sw, side]}
  sw: {type: switch, property: payload.n, rules: [{gt: 0}], to: {0: call}}
  side: {type: change, rules: [{set: payload.side, to: true}]}
  call: {type: link-call, target: double-in, timeout: 5, to: sub}
  sub: {type: "subflow:tag", to: last}
  last: {type: change, rules: [{set: payload.done, to: true}]}
"""
SERVICE = """
flowrt: 1
id: service
nodes:
  double-in: {type: link-in, to: double}
  double: {type: change, rules: [{set: payload.doubled, to: true}], to: back}
  back: {type: link-out, mode: return}
"""


def test_a_message_path_is_one_trace_across_a_fan_out_a_link_call_and_a_subflow() -> None:
    with recording() as exported:
        result = run_flow(MAIN, inputs=[{"payload": {"n": 1}}], into="start", others=[SERVICE])
    assert result.errors == []
    spans = exported.get_finished_spans()
    parents = {(s.attributes or {})["flowrt.node.id"]: parent_node(spans, s) for s in spans}
    assert parents == {
        "start": None, "sw": "start", "side": "start",  # side is not the switch's child
        "call": "sw", "double": "call", "back": "double",  # a link-in is only a wire
        "sub/mark": "back", "last": "sub/mark",
    }
    assert len({s.context.trace_id for s in spans}) == 1
    for span in spans:
        assert span.start_time is not None and span.end_time is not None
        assert span.end_time >= span.start_time  # each visit's own timing
    start, last = one(spans, "start"), one(spans, "last")
    assert start.name == "change start"
    assert last.start_time >= start.end_time  # a node's span is its own work, not the rest
    attrs = dict(one(spans, "double").attributes or {})
    msgid = attrs.pop("flowrt.msg.id")
    assert attrs == {"flowrt.node.id": "double", "flowrt.node.type": "change",
                     "flowrt.flow.id": "service"}
    assert msgid == result.sent("last")[0]["_msgid"]
    assert result.sent("last")[0][TRACE_KEY] == (
        f"00-{last.context.trace_id:032x}-{last.context.span_id:016x}"
        f"-{last.context.trace_flags:02x}")


def test_a_held_message_is_in_its_node_span_until_it_is_let_go() -> None:
    flow = """
flowrt: 1
nodes:
  wait: {type: delay, delay: 0.05, to: after}
  after: {type: change, rules: [{set: topic, to: late}]}
"""
    with recording() as exported:
        result = run_flow(flow, inputs=[{"payload": 1}], into="wait", virtual_time=False)
    assert result.payloads("after") == [1]
    spans = exported.get_finished_spans()
    wait, after = one(spans, "wait"), one(spans, "after")
    assert parent_node(spans, after) == "wait"
    assert wait.end_time is not None and after.start_time is not None
    assert wait.end_time >= after.start_time  # the delay's span ended when it let go


def test_messages_a_node_makes_anew_are_its_children_and_errors_record_their_type() -> None:
    flow = """
flowrt: 1
nodes:
  make:
    type: script
    code: |
      node.send({"payload": "sent"})
      return {"payload": "returned"}
    to: fail
  fail:
    type: script
    code: |
      raise ValueError("no " + str(msg["payload"]))
  errors: {type: catch, to: caught}
  caught: {type: change, rules: [{set: topic, to: caught}]}
"""
    with recording() as exported:
        result = run_flow(flow, inputs=[{"payload": 0}], into="make")
    assert len(result.sent("caught")) == 2
    spans = exported.get_finished_spans()
    assert [parent_node(spans, s) for s in of_node(spans, "fail")] == ["make", "make"]
    assert [parent_node(spans, s) for s in of_node(spans, "errors")] == ["fail", "fail"]
    failed = of_node(spans, "fail")[0]
    assert failed.status.status_code.name == "ERROR"
    assert failed.status.description == "ScriptError"  # the type only: no text of the message
    assert (failed.attributes or {})["error.type"] == "ScriptError"


def test_sampled_out_traces_make_no_spans_and_their_children_follow() -> None:
    flow = "flowrt: 1\nnodes:\n  a: {type: change, rules: [{set: topic, to: t}], to: b}\n" \
           "  b: {type: change, rules: [{set: topic, to: u}]}\n"
    with recording(ParentBased(TraceIdRatioBased(0))) as exported:
        result = run_flow(flow, inputs=[{"payload": 1}], into="a")
    assert exported.get_finished_spans() == ()
    assert int(result.sent("b")[0][TRACE_KEY][-2:], 16) & 1 == 0  # passed on, not recorded
    with recording(ParentBased(TraceIdRatioBased(1))) as exported:
        run_flow(flow, inputs=[{"payload": 1}], into="a")
    assert [s.name for s in exported.get_finished_spans()] == ["change a", "change b"]
    with recording(ParentBased(ALWAYS_ON)) as exported:
        unrecorded = "00-" + "1" * 32 + "-" + "2" * 16 + "-00"
        run_flow(flow, inputs=[{"payload": 1, TRACE_KEY: unrecorded}], into="a")
    assert exported.get_finished_spans() == ()  # its sender did not record it


def test_off_nothing_is_imported_and_messages_carry_no_trace() -> None:
    code = """
import sys
from flowrt.testing import run_flow
flow = "flowrt: 1\\nnodes:\\n  a: {type: change, rules: [{set: topic, to: t}]}\\n"
result = run_flow(flow, inputs=[{"payload": 1}], into="a")
print(sorted(result.sent("a")[0]), [m for m in sys.modules if m.startswith("opentelemetry")])
"""
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("FLOWRT_TRACE")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "['_msgid', 'payload', 'topic'] []"


def test_the_settings_are_checked() -> None:
    assert settings({}) == (None, None)
    assert settings({"FLOWRT_TRACE": "off"}) == (None, None)
    assert settings({"FLOWRT_TRACE": "OTLP", "FLOWRT_TRACE_SAMPLE": "0.25"}) == ("otlp", 0.25)
    with pytest.raises(ValueError, match="FLOWRT_TRACE must"):
        settings({"FLOWRT_TRACE": "jaeger"})
    with pytest.raises(ValueError, match="FLOWRT_TRACE_SAMPLE must"):
        settings({"FLOWRT_TRACE": "otlp", "FLOWRT_TRACE_SAMPLE": "2"})


@pytest.mark.parametrize("text", [
    "00-" + "0" * 32 + "-" + "2" * 16 + "-01", "01-" + "1" * 32 + "-" + "2" * 16 + "-01",
    "00-" + "1" * 32 + "-" + "2" * 16, "00-" + "1" * 32 + "-" + "2" * 16 + "-01\n{}", 42,
    "00-" + "g" * 32 + "-" + "2" * 16 + "-01", json.dumps({"a": 1}),
])
def test_a_traceparent_from_the_wire_is_taken_only_when_valid(text: object) -> None:
    assert valid_traceparent(text) is None


def test_a_valid_traceparent_is_taken() -> None:
    good = "00-" + "A" * 32 + "-" + "2" * 16 + "-01"
    assert valid_traceparent(good) == good.lower()
    assert valid_traceparent(good.encode()) == good.lower()
