"""Graph checks: wires, ports, inputs, reachability and cycles."""

from __future__ import annotations

from typing import Any

import pytest

HEAD = "flowrt: 1\nid: f\nnodes:\n"


@pytest.mark.parametrize(
    ("nodes", "expected"),
    [
        # wire to an unknown node, with a did-you-mean
        (
            "  src: {type: tick, to: pas}\n  pass1: {type: pass}\n",
            [("E031", "src", 4), ("W101", "pass1", 5)],
        ),
        # output port out of range, for fixed and configuration-dependent outputs
        ("  src: {type: tick, to: {1: a}}\n  a: {type: pass}\n", [("E032", "src", 4)]),
        (
            "  src: {type: tick, to: r}\n  r: {type: route, rules: [x, y], to: {2: a}}\n"
            "  a: {type: pass}\n",
            [("E032", "r", 5)],
        ),
        (
            "  src: {type: tick, to: r}\n  r: {type: route, rules: [x, y], to: {1: a}}\n"
            "  a: {type: pass}\n",
            [],
        ),
        # a sink has no outputs
        (
            "  src: {type: tick, to: w}\n  w: {type: link-out, to: a}\n  a: {type: pass}\n",
            [("E032", "w", 5)],
        ),
        # wire to a node without input
        ("  src: {type: tick, to: other}\n  other: {type: tick}\n", [("E040", "src", 4)]),
        # unreachable node
        (
            "  src: {type: tick, to: a}\n  a: {type: pass}\n  lost: {type: pass}\n",
            [("W101", "lost", 6)],
        ),
        # cycle without an asynchronous node, and with one
        (
            "  src: {type: tick, to: a}\n  a: {type: pass, to: b}\n  b: {type: pass, to: a}\n",
            [("W102", "a", 5)],
        ),
        ("  src: {type: tick, to: a}\n  a: {type: pass, to: w}\n  w: {type: wait, to: a}\n", []),
        ("  src: {type: tick, to: a}\n  a: {type: pass, to: a}\n", [("W102", "a", 5)]),
    ],
)
def test_graph(run_check: Any, nodes: str, expected: list[tuple[str, str, int]]) -> None:
    found = run_check(HEAD + nodes)
    assert [(d.code, d.node, d.line) for d in found] == expected


def test_unknown_target_suggests_close_id(run_check: Any) -> None:
    d, _ = run_check(HEAD + "  src: {type: tick, to: pas}\n  pass1: {type: pass}\n")
    assert "did you mean 'pass1'" in d.hint
    assert d.column == 25


def test_wire_to_a_node_of_another_file_points_to_link_nodes(run_check: Any) -> None:
    other = "flowrt: 1\nid: g\nnodes:\n  elsewhere: {type: link-in}\n"
    found = run_check(HEAD + "  src: {type: tick, to: elsewhere}\n", other)
    (d,) = [d for d in found if d.code == "E031"]
    assert "flows/f1.yaml" in d.hint and "link-out" in d.hint


def test_cycle_names_its_members(run_check: Any) -> None:
    found = run_check(
        HEAD + "  src: {type: tick, to: a}\n  a: {type: pass, to: b}\n  b: {type: pass, to: c}\n"
        "  c: {type: pass, to: a}\n"
    )
    (d,) = found
    assert d.code == "W102" and "a -> b -> c -> a" in d.message


def test_link_nodes_make_targets_reachable_across_files(run_check: Any) -> None:
    first = HEAD + "  src: {type: tick, to: out}\n  out: {type: link-out, links: [in]}\n"
    second = "flowrt: 1\nid: g\nnodes:\n  in: {type: link-in, to: a}\n  a: {type: pass}\n"
    assert run_check(first, second) == []


def test_subflow_wiring(run_check: Any) -> None:
    text = (
        HEAD + "  src: {type: tick, to: s}\n  s: {type: 'subflow:double', to: {0: a, 1: a}}\n"
        "  a: {type: pass}\n"
        "subflows:\n  double:\n    input: one\n    outputs: 1\n    nodes:\n"
        "      one: {type: pass, to: [$out.0, $out.3]}\n"
    )
    found = run_check(text)
    assert sorted((d.code, d.line) for d in found) == [("E032", 5), ("E041", 12)]


def test_subflow_input_must_name_inner_node(run_check: Any) -> None:
    text = (
        HEAD + "  src: {type: tick, to: s}\n  s: {type: 'subflow:x'}\n"
        "subflows:\n  x:\n    input: tow\n    nodes:\n      two: {type: pass}\n"
    )
    found = run_check(text)
    assert [(d.code, d.line) for d in found] == [("E041", 8), ("W101", 10)]
    assert "did you mean 'two'" in found[0].hint


def test_out_port_outside_a_subflow(run_check: Any) -> None:
    found = run_check(HEAD + "  src: {type: tick, to: $out}\n")
    assert [d.code for d in found] == ["E031"]

