"""catch inside subflows: the subflow's own catch first, else the flow holding the instance."""

from __future__ import annotations

import pytest

from flowrt.testing import run_flow

FLOW = """
flowrt: 1
subflows:
  parse:
    input: decode
    outputs: 1
    nodes:
      decode: {type: json, action: object, to: $out}
      {inner}
nodes:
  p: {type: "subflow:parse", to: ok}
  ok: {type: debug}
  outer: {type: catch, scope: [p]}
"""


@pytest.mark.parametrize(
    ("inner", "caught_by"),
    [
        ("inside: {type: catch}", "p/inside"),
        ("inside: {type: catch, scope: [somewhere]}\n      somewhere: {type: comment}", "outer"),
        ("note: {type: comment}", "outer"),
    ],
)
def test_an_error_in_a_subflow_goes_to_the_nearest_catch(inner: str, caught_by: str) -> None:
    result = run_flow(FLOW.replace("{inner}", inner), inputs=[{"payload": "{not json"}])
    catchers = {n for n in ("p/inside", "outer") if result.sent(n)}
    assert catchers == {caught_by}
    [caught] = result.sent(caught_by)
    assert caught["error"]["source"]["id"] == "p/decode"
    assert caught["payload"] == "{not json"


def test_the_message_of_a_caught_error_can_be_handled_and_is_not_failed() -> None:
    result = run_flow(FLOW.replace("{inner}", "note: {type: comment}"),
                      inputs=[{"payload": "[1, 2]"}, {"payload": "nope"}])
    assert result.payloads("ok") == []  # debug sends nothing on
    assert [m["payload"] for m in result.sent("p/decode")] == [[1, 2]]
    assert [e.caught for e in result.errors] == [True]


IMPORTED = """
flowrt: 1
subflows:
  parse:
    input: decode
    outputs: 1
    nodes:
      decode: {type: json, action: object, to: $out, origin: {id: 5e5e5e5e5e5e5e5e, type: json}}
nodes:
  p: {type: "subflow:parse", origin: {id: 0a0a0a0a0a0a0a0a, type: "subflow:9f9f9f9f9f9f9f9f"}}
  outer: {type: catch, scope: [p]}
  again: {type: json, action: object, origin: {id: a1b2c3d4e5f60718, type: json}}
  retry: {type: catch, scope: [again], to: again}
"""


def test_a_node_imported_from_node_red_is_named_by_its_node_red_id_and_type() -> None:
    result = run_flow(IMPORTED, inputs=[{"payload": "{not json"}], into="p/decode")
    [caught] = result.sent("outer")
    # inside an instance Node-RED names the node <instance id>-<inner id>
    assert caught["error"]["source"] == {"id": "0a0a0a0a0a0a0a0a-5e5e5e5e5e5e5e5e",
                                         "type": "json", "count": 1}
    result = run_flow(IMPORTED, inputs=[{"payload": "{not json"}], into="again")
    # the same node failing the same message again counts up (by the id it reports) and is
    # not routed after the ninth time, as in Node-RED
    assert [m["error"]["source"]["count"] for m in result.sent("retry")] == list(range(1, 10))
    assert {m["error"]["source"]["id"] for m in result.sent("retry")} == {"a1b2c3d4e5f60718"}
