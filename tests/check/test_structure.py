"""The first look at a file: a flow file at all, in a version flowrt reads?"""

from __future__ import annotations

from typing import Any

import pytest


def test_a_flow_test_file_given_as_a_flow_says_how_to_run_it(run_check: Any) -> None:
    [d] = run_check("flowrt-test: 1\ncases: []\n")
    assert d.code == "E011" and "flowrt test" in d.hint


def test_a_node_red_export_says_how_to_import_it(run_check: Any) -> None:
    [d] = run_check('[{"id": "a", "type": "inject", "z": "t", "wires": []}]')
    assert d.code == "E010" and "flowrt import nodered" in d.hint


@pytest.mark.parametrize("text", ["", "# a comment, nothing else\n", "null\n", "\n\n"])
def test_a_text_with_no_flow_is_e006_not_a_crash(run_check: Any, text: str) -> None:
    [d] = run_check(text)
    assert (d.code, d.line, d.column) == ("E006", 1, 1)
    assert "flowrt: 1" in d.hint


def test_a_node_imported_from_node_red_is_also_named_by_its_node_red_id(run_check: Any) -> None:
    found = run_check(
        "flowrt: 1\nsubflows:\n  sf:\n    input: x\n    nodes:\n"
        "      x: {type: pass, bogus: 1, origin: {id: 5a5a5a5a5a5a5a5a, type: change}}\n"
        "nodes:\n"
        "  t: {type: tick, every: 0, origin: {id: a1b2c3d4e5f60718, type: inject}, to: p}\n"
        "  p: {type: pass, bogus: 1, to: s}\n"
        "  s: {type: 'subflow:sf'}\n"
    )
    by_node = {d.node: d for d in found if d.code in ("E023", "E025")}
    assert by_node["t"].nodered == "a1b2c3d4e5f60718"
    assert "node 't' (tick, Node-RED a1b2c3d4e5f60718): " in str(by_node["t"])
    assert by_node["x"].nodered == "5a5a5a5a5a5a5a5a"  # inside a subflow definition
    assert by_node["p"].nodered == "" and "node 'p' (pass): " in str(by_node["p"])
