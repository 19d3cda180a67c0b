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
