"""The comment node: text only, no ports, nothing at run time."""

from __future__ import annotations

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow

FLOW = """
flowrt: 1
nodes:
  note:
    type: comment
    label: About this flow
    text: |
      Doubles every **payload**.
  double: {type: script, code: "msg['payload'] *= 2\\nreturn msg"}
"""


def test_comment_runs_as_nothing() -> None:
    result = run_flow(FLOW, inputs=[{"payload": 2}])
    assert result.payloads("double") == [4]
    assert result.sent("note") == []
    assert [e for e in result.logs if e[0] == "note"] == []


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ("    to: double\n", "E0"),
        ("    colour: red\n", "E0"),
    ],
)
def test_comment_has_no_ports_and_only_text(extra: str, code: str) -> None:
    text = FLOW.replace("      Doubles every **payload**.\n", "      Doubles.\n" + extra)
    with pytest.raises(CheckError) as info:
        run_flow(text, inputs=[])
    assert info.value.diagnostics
    assert all(d.code.startswith(code) and d.node == "note" for d in info.value.diagnostics)
