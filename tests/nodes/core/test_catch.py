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
