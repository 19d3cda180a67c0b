"""A JSONata expression that cannot be compiled is a diagnostic at its line and column, naming
the node and what to do, in `flowrt validate` as in the checker: never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from flowrt.check import check
from flowrt.cli.commands import main
from flowrt.load import Project, load_text
from flowrt.registry import default_registry

UNCOMPILABLE = [
    "$match(topic, /(?<a$b>x)/)",  # a group name JavaScript takes and Python's regex does not
    "$match(topic, /a{2,1}/)",  # refused by JavaScript too
    "$x(/",  # the parser runs off the end of the text
    "payload /* open",
]


def flow(expression: str) -> str:
    return ("flowrt: 1\nnodes:\n  src: {type: inject, to: c1}\n  c1:\n    type: change\n"
            "    rules:\n      - set: payload\n        to:\n          type: jsonata\n"
            f"          value: {expression!r}\n    to: out\n  out: {{type: debug}}\n")


@pytest.mark.parametrize("expression", UNCOMPILABLE)
def test_an_uncompilable_expression_is_a_diagnostic_at_its_line(expression: str) -> None:
    doc = load_text(flow(expression), "flows/f.yaml")
    [d] = [d for d in check(Project(documents=[doc]), default_registry())
           if d.severity == "error"]
    assert (d.code, d.node, d.file, d.line, d.column) == ("E020", "c1", "flows/f.yaml", 10, 18)
    assert "invalid JSONata expression" in d.message and "JavaScript" in d.hint


@pytest.mark.parametrize("expression", UNCOMPILABLE)
def test_flowrt_validate_reports_it_without_a_traceback(tmp_path: Path, expression: str) -> None:
    (tmp_path / "f.yaml").write_text(flow(expression))
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "f.yaml")],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output
    assert "f.yaml:10:18: error E020 node 'c1' (change)" in result.output
    assert "Traceback" not in result.output
