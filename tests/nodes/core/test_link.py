"""link-in, link-out and link-call: across flows, as subroutines, with timeouts."""

from __future__ import annotations

import pytest

from flowrt.check import check
from flowrt.errors import CheckError
from flowrt.load import Project, load_text
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
    assert caught["error"]["message"] == "timeout"  # Node-RED's words
    assert caught["payload"] == 1 and "_linkSource" not in caught  # the message as it came in
    assert result.elapsed == 30


def test_a_dynamic_call_names_its_target_in_the_message() -> None:
    caller = CALLER.replace("target: double-in", "dynamic: true")
    result = run_flow(caller, inputs=[{"payload": 4, "target": "double-in"}], into="call",
                      others=[SERVICE])
    assert result.payloads("after") == [8]


def named(flow: str, factor: int, whole: bool = True) -> str:
    """A flow (or, with ``whole=False``, its nodes only) whose link-in is named
    `double payload` and multiplies the payload by ``factor``."""
    nodes = (
        f"  {flow}-in: {{type: link-in, label: double payload, to: {flow}-double}}\n"
        f"  {flow}-double: {{type: change, to: {flow}-back, rules: [{{set: payload, to: "
        f"{{type: jsonata, value: 'payload * {factor}'}}}}]}}\n"
        f"  {flow}-back: {{type: link-out, mode: return}}\n"
    )
    return f"flowrt: 1\nid: {flow}\nnodes:\n{nodes}" if whole else nodes


def test_a_dynamic_call_finds_a_link_in_by_its_name_in_its_own_flow_first() -> None:
    caller = CALLER.replace("target: double-in", "dynamic: true") + named("caller", 2, False)
    result = run_flow(caller, inputs=[{"payload": 4, "target": "double payload"}], into="call",
                      others=[named("elsewhere", 10)])
    assert result.payloads("after") == [8]


def test_a_dynamic_call_finds_the_one_link_in_of_that_name_in_another_flow() -> None:
    caller = CALLER.replace("target: double-in", "dynamic: true")
    result = run_flow(caller, inputs=[{"payload": 4, "target": "double payload"}], into="call",
                      others=[named("elsewhere", 10)])
    assert result.payloads("after") == [40]


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("double payload", "Multiple link-in nodes named 'double payload' found"),
        ("nobody", "target link-in node 'nobody' not found"),
        (None, "target link-in node '' not found"),
    ],
)
def test_a_dynamic_call_to_no_single_link_in_is_an_error(target: str | None, message: str) -> None:
    caller = CALLER.replace("target: double-in", "dynamic: true") + "  oops: {type: catch}\n"
    result = run_flow(caller, inputs=[{"payload": 4, "target": target}], into="call",
                      others=[named("one", 2), named("two", 3)])
    [caught] = result.sent("oops")
    assert caught["error"]["message"] == message
    assert result.sent("after") == []


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
        ("{type: link-out}", "E020"),  # `links: []` says "nowhere" on purpose; none is a slip
        ("{type: link-out, mode: return, links: [x]}", "E020"),
        ("{type: link-out, mode: return, links: []}", "E020"),
    ],
)
def test_bad_link_configurations_are_refused(node: str, code: str) -> None:
    with pytest.raises(CheckError) as info:
        run_flow(f"flowrt: 1\nnodes:\n  out: {node}\n  x: {{type: link-in}}\n")
    assert code in {d.code for d in info.value.diagnostics}


def warned(flow: str) -> list[tuple[str, str | None, str]]:
    found = check(Project([load_text(flow, "f.yaml")]), env={})
    return [(d.code, d.node, d.hint) for d in found if d.severity == "warning"]


@pytest.mark.parametrize(
    ("node", "field"),
    [("{type: link-out, links: []}", "links"), ("{type: complete, scope: []}", "scope"),
     ("{type: catch, scope: []}", "scope"), ("{type: status, scope: []}", "scope")],
)
def test_an_empty_list_of_nodes_is_a_warning_naming_the_node_and_what_to_do(
    node: str, field: str
) -> None:
    flow = f"flowrt: 1\nnodes:\n  x: {node}\n  in: {{type: link-in}}\n"
    assert ("W111", "x", f"name the nodes in `{field}`, or remove the node") in warned(flow)


def test_a_link_out_with_no_links_sends_nowhere_as_node_red_does() -> None:
    result = run_flow(
        "flowrt: 1\nnodes:\n  out: {type: link-out, links: []}\n  in: {type: link-in}\n",
        inputs=[{"payload": 1}], into="out",
    )
    assert [m["payload"] for m in result.received("out")] == [1]
    assert result.received("in") == [] and result.errors == []


def test_a_complete_node_watching_no_node_never_sends() -> None:
    result = run_flow(
        "flowrt: 1\nnodes:\n  work: {type: change, rules: [{set: topic, to: t}]}\n"
        "  done: {type: complete, scope: [], to: seen}\n  seen: {type: debug}\n",
        inputs=[{"payload": 1}], into="work",
    )
    assert result.payloads("work") == [1] and result.received("seen") == []


SUBFLOW = """
flowrt: 1
id: main
subflows:
  relay:
    input: out
    outputs: 1
    nodes:
      out: {type: link-out, links: [in]}
      in: {type: link-in, to: tag}
      tag: {type: change, rules: [{set: topic, to: "${WHO}"}], to: $out}
    params: {WHO: {default: nobody}}
nodes:
  a: {type: "subflow:relay", env: {WHO: a}, to: seen}
  b: {type: "subflow:relay", env: {WHO: b}, to: seen}
  seen: {type: debug}
"""


def test_a_link_in_a_subflow_reaches_its_own_instance_link_in() -> None:
    """Node-RED gives each instance its own copy of the subflow's nodes, links remapped."""
    for instance in ("a", "b"):
        result = run_flow(SUBFLOW, inputs=[{"payload": 1}], into=f"{instance}/out")
        assert [m["topic"] for m in result.received("seen")] == [instance], result.errors


CALL_FROM_SUBFLOW = """
flowrt: 1
id: main
subflows:
  caller:
    input: call
    outputs: 1
    nodes:
      call: {type: link-call, target: double-in, timeout: 5, to: $out}
nodes:
  inst: {type: "subflow:caller", to: seen}
  seen: {type: debug}
"""


def test_a_link_call_in_a_subflow_calls_a_link_in_of_a_flow() -> None:
    result = run_flow(CALL_FROM_SUBFLOW, inputs=[{"payload": 21}], into="inst/call",
                      others=[SERVICE])
    assert [m["payload"] for m in result.received("seen")] == [42] and result.errors == []


def test_a_link_call_in_a_subflow_calls_the_subflows_own_link_in_first() -> None:
    own = CALL_FROM_SUBFLOW.replace(
        "      call: {type: link-call, target: double-in, timeout: 5, to: $out}\n",
        "      call: {type: link-call, target: double-in, timeout: 5, to: $out}\n"
        "      double-in: {type: link-in, to: ten}\n"
        "      ten: {type: change, rules: [{set: payload, to: 10}], to: back}\n"
        "      back: {type: link-out, mode: return}\n",
    )
    result = run_flow(own, inputs=[{"payload": 21}], into="inst/call", others=[SERVICE])
    assert [m["payload"] for m in result.received("seen")] == [10] and result.errors == []


def test_a_link_out_in_a_subflow_may_not_name_a_link_in_of_a_flow() -> None:
    """Node-RED drops such a wire (Subflow.js remapSubflowNodes): flowrt refuses it."""
    flow = SUBFLOW.replace("links: [in]", "links: [outside]") + "  outside: {type: link-in}\n"
    with pytest.raises(CheckError) as info:
        run_flow(flow)
    assert [(d.code, d.node) for d in info.value.diagnostics] == [("E038", "out")]
