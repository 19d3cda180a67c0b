"""The editor's groups (`groups:`): loaded with their positions, kept by `flowrt fmt`, checked
for unknown nodes and parents (E044, with a did-you-mean), a node in two groups (E045) and
nesting loops (E046); a well-formed group changes nothing else."""

from __future__ import annotations

from flowrt.check import check
from flowrt.diagnostics import Diagnostic
from flowrt.load import Project, load_text
from flowrt.load.formatter import format_document
from flowrt.registry.discover import default_registry

FLOW = """\
flowrt: 1
id: f
nodes:
  read: {type: inject, to: parse}
  parse: {type: json, to: out}
  out: {type: debug}
groups:
"""


def diagnose(groups: str) -> list[Diagnostic]:
    doc = load_text(FLOW + groups, "flows/f.yaml")
    return check(Project(documents=[doc]), default_registry(), env={})


def test_groups_are_loaded_with_label_colour_members_and_parent() -> None:
    doc = load_text(
        FLOW + '  inputs: {label: Inputs, color: "#d1e7ff", nodes: [read, parse]}\n'
        "  outer: {nodes: [out]}\n"
        "  inner: {nodes: [], group: outer}\n",
        "f.yaml",
    )
    inputs = doc.groups["inputs"]
    assert (inputs.label, inputs.color, inputs.parent) == ("Inputs", "#d1e7ff", None)
    assert [m for m, _ in inputs.members] == ["read", "parse"]
    assert (inputs.members[1][1].line, inputs.members[1][1].column) == (8, 59)
    assert doc.groups["inner"].parent == "outer"
    assert doc.groups["outer"].label is None


def test_well_formed_groups_give_no_diagnostic() -> None:
    found = diagnose(
        '  inputs: {label: Inputs, color: "#d1e7ff", nodes: [read, parse]}\n'
        "  all: {label: All, nodes: [out]}\n"
        "  inner: {nodes: [], group: all}\n"
    )
    assert found == []


def test_a_group_naming_a_missing_node_is_E044_with_did_you_mean() -> None:
    [d] = diagnose("  inputs: {nodes: [read, prase]}\n")
    assert (d.code, d.severity, d.file, d.line, d.column) == ("E044", "error", "flows/f.yaml",
                                                               8, 26)
    assert "'prase'" in d.message
    assert d.hint == "did you mean 'parse'?"


def test_a_node_in_two_groups_is_E045_at_its_second_mention() -> None:
    [d] = diagnose("  a: {nodes: [read]}\n  b:\n    nodes: [out, read]\n")
    assert (d.code, d.line, d.column, d.node) == ("E045", 10, 18, "read")
    assert "group 'a' and in group 'b'" in d.message


def test_a_missing_parent_is_E044_and_a_nesting_loop_E046() -> None:
    [d] = diagnose("  a: {nodes: [read], group: alll}\n  all: {nodes: []}\n")
    assert (d.code, d.line, d.hint) == ("E044", 8, "did you mean 'all'?")
    [loop] = diagnose("  a: {nodes: [], group: b}\n  b: {nodes: [], group: a}\n")
    assert loop.code == "E046"
    assert "a -> b -> a" in loop.message


def test_a_malformed_group_is_a_schema_error() -> None:
    found = diagnose('  a: {nodes: [read], colour: "#fff"}\n  b: {label: B}\n')
    assert sorted(d.code for d in found) == ["E021", "E023"]


def test_fmt_keeps_groups() -> None:
    text = FLOW + "  inputs:\n    label: Inputs\n    color: '#d1e7ff'\n    nodes: [read, parse]\n"
    assert format_document(load_text(text, "f.yaml")) == text
