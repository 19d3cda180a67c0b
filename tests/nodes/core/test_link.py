"""link-in, link-out and link-call: across flows, as subroutines, with timeouts."""

from __future__ import annotations

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow

CALLER = """
flowrt: 1
id: caller
nodes:
  call: {type: link-call, target: double-in, timeout: 5, to: after}
  after: {type: change, rules: [{set: topic, to: returned}]}
"""
SERVICE = """
flowrt: 1
id: service
nodes:
  double-in: {type: link-in, to: double}
  double: {type: change, rules: [{set: payload, to: {type: jsonata, value: "payload * 2"}}],
           to: back}
  back: {type: link-out, mode: return}
"""


def test_link_out_reaches_link_in_nodes_of_other_flows_each_with_its_own_copy() -> None:
    result = run_flow(
        """
flowrt: 1
id: a
nodes:
  out: {type: link-out, links: [in-b, in-c]}
""",
        inputs=[{"payload": {"n": 1}}],
        into="out",
        others=[
            "flowrt: 1\nid: b\nnodes:\n  in-b: {type: link-in, to: tag}\n"
            "  tag: {type: change, rules: [{set: payload.b, to: true}]}\n",
            "flowrt: 1\nid: c\nnodes:\n  in-c: {type: link-in}\n",
        ],
    )
    assert result.payloads("tag") == [{"n": 1, "b": True}]
    assert result.payloads("in-c") == [{"n": 1}]  # the change in flow b did not leak


def test_link_call_returns_through_a_return_mode_link_out() -> None:
    result = run_flow(CALLER, inputs=[{"payload": 21}, {"payload": 5}], into="call",
                      others=[SERVICE])
    assert [(m["payload"], m["topic"]) for m in result.sent("after")] == [(42, "returned"),
                                                                          (10, "returned")]
    assert all("_linkSource" not in m for m in result.sent("after"))
    assert result.errors == []


def test_nested_calls_return_to_their_own_caller() -> None:
    outer = """
flowrt: 1
id: outer
nodes:
  outer-in: {type: link-in, to: inner-call}
  inner-call: {type: link-call, target: double-in, to: outer-back}
  outer-back: {type: link-out, mode: return}
"""
    caller = CALLER.replace("target: double-in", "target: outer-in")
    result = run_flow(caller, inputs=[{"payload": 3}], into="call", others=[SERVICE, outer])
    assert result.payloads("after") == [6]


def test_a_call_with_no_return_times_out_to_catch() -> None:
    result = run_flow(
        """
flowrt: 1
nodes:
  call: {type: link-call, target: sink-in, timeout: 30}
  sink-in: {type: link-in}
  oops: {type: catch}
""",
        inputs=[{"payload": 1}],
        into="call",
    )
    [caught] = result.sent("oops")
    assert "no return from link-in 'sink-in' within 30.0 s" in caught["error"]["message"]
    assert result.elapsed == 30


def test_a_dynamic_call_names_its_target_in_the_message() -> None:
    caller = CALLER.replace("target: double-in", "dynamic: true")
    result = run_flow(caller, inputs=[{"payload": 4, "target": "double-in"}], into="call",
                      others=[SERVICE])
    assert result.payloads("after") == [8]


def test_a_return_with_no_caller_is_an_error_naming_the_node() -> None:
    result = run_flow(
        "flowrt: 1\nnodes:\n  back: {type: link-out, mode: return}\n  oops: {type: catch}\n",
        inputs=[{"payload": 1}],
        into="back",
    )
    [caught] = result.sent("oops")
    assert caught["error"]["source"]["id"] == "back"
    assert "no link-call sent" in caught["error"]["message"]


@pytest.mark.parametrize(
    ("node", "code"),
    [
        ("{type: link-out, links: [missing]}", "E038"),
        ("{type: link-out}", "E020"),
        ("{type: link-out, mode: return, links: [x]}", "E020"),
    ],
)
def test_bad_link_configurations_are_refused(node: str, code: str) -> None:
    with pytest.raises(CheckError) as info:
        run_flow(f"flowrt: 1\nnodes:\n  out: {node}\n  x: {{type: link-in}}\n")
    assert code in {d.code for d in info.value.diagnostics}
