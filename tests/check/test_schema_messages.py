"""Schema errors in a union (a literal or a typed value, a target or a port mapping) name the
field, what was given and what is allowed, as a language server would; never a Python repr."""

from __future__ import annotations

import pytest

from flowrt.check import check
from flowrt.diagnostics import Diagnostic
from flowrt.load import Project, load_text
from flowrt.registry import default_registry


def errors(nodes: str) -> list[Diagnostic]:
    text = "flowrt: 1\nnodes:\n" + nodes
    found = check(Project(documents=[load_text(text, "flows/f.yaml")]), default_registry())
    return [d for d in found if d.severity == "error"]


@pytest.mark.parametrize(
    ("nodes", "code", "line", "column", "needles"),
    [
        (  # a typed value with a type that does not exist: the key inside it is wrong
            "  t: {type: inject, payload: {type: jsonatax, value: x}}\n",
            "E024", 3, 37, ["payload.type", "'jsonatax'", "'jsonata'"],
        ),
        (  # the same inside a switch rule
            "  s: {type: switch, rules: [{gt: {type: nope, value: 1}}]}\n",
            "E024", 3, 41, ["rules[0].gt.type", "'nope'", "'num'"],
        ),
        (  # an output port that is no number
            "  t: {type: inject, to: {x: d}}\n  d: {type: debug}\n",
            "E020", 3, 26, ["to", "'x'", "output port"],
        ),
        (  # a value of none of the kinds a wiring takes
            "  t: {type: inject, to: 5}\n",
            "E022", 3, 25, ["to must be", "a node id", "a list", "a mapping", "got 5"],
        ),
        (  # a scalar where a literal or a typed value goes
            "  s: {type: switch, rules: [{between: 3}]}\n",
            "E022", 3, 39, ["rules[0].between", "a list", "got 3"],
        ),
    ],
)
def test_a_union_names_the_field_the_value_and_what_is_allowed(
    nodes: str, code: str, line: int, column: int, needles: list[str]
) -> None:
    [d] = errors(nodes)
    assert (d.code, d.line, d.column) == (code, line, column), d
    text = d.message + " " + d.hint
    assert all(n in text for n in needles), text
    assert "{'" not in text and "is not valid under any" not in text, text


def test_a_mapping_where_a_typed_value_goes_is_read_as_one() -> None:
    [d] = errors("  s: {type: switch, rules: [{eq: {value: 1}}]}\n")
    assert d.code == "E021" and "'type'" in d.message and "rules[0].eq" in d.message, d


def test_a_node_with_no_type_is_reported_once_not_as_a_missing_wire_target() -> None:
    found = errors("  t: {type: inject, to: n}\n  n: {label: x, to: d}\n  d: {type: debug}\n")
    assert [(d.code, d.line) for d in found] == [("E021", 4)], found
    assert "'type'" in found[0].message
