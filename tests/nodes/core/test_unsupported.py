"""The unsupported node: a stand-in that validates with a warning and fails every message."""

from __future__ import annotations

import pytest

from flowrt.check import check
from flowrt.errors import CheckError
from flowrt.load import Project, load_text
from flowrt.testing import run_flow

FLOW = """
flowrt: 1
nodes:
  ask:
    type: unsupported
    reason: flowrt has no raw TCP nodes
    nodered: {type: tcp request, server: 10.0.0.1, port: "7", note: "$${HOME}"}
    outputs: 2
    to: {0: first, 1: second}
  first: {type: debug}
  second: {type: debug}
  errors: {type: catch, to: caught}
  caught: {type: debug}
"""


def test_each_message_fails_with_the_reason() -> None:
    result = run_flow(FLOW, inputs=[{"payload": 1}, {"payload": 2}], into="ask")
    assert result.received("first") == result.received("second") == []
    caught = result.received("caught")
    assert [m["payload"] for m in caught] == [1, 2]
    assert caught[0]["error"]["message"] == (
        "Node-RED's `tcp request` node was not imported: flowrt has no raw TCP nodes")


def test_validate_warns_once_and_nothing_after_it_is_unreachable() -> None:
    found = check(Project([load_text(FLOW, "f.yaml")]), env={})
    assert [(d.code, d.node) for d in found] == [("W110", "ask")]
    assert "`tcp request`" in found[0].message and "no raw TCP nodes" in found[0].message
    assert (found[0].line, found[0].column) == (4, 3)


@pytest.mark.parametrize("change", [
    ("    reason: flowrt has no raw TCP nodes\n", ""),
    ("    nodered: {type: tcp request", "    nodered: [{type: tcp request"),
    ("    outputs: 2\n", "    outputs: -1\n"),
    ("    outputs: 2\n", "    outputs: 1\n"),
])
def test_its_configuration_is_checked(change: tuple[str, str]) -> None:
    text = FLOW.replace(*change)
    if change[1].startswith("    nodered: ["):
        text = text.replace('"$${HOME}"}', '"$${HOME}"}]')
    with pytest.raises(CheckError) as info:
        run_flow(text, inputs=[])
    assert {d.code for d in info.value.diagnostics} & {"E020", "E021", "E022", "E025", "E032"}
