"""The typed view: nodes, wires with positions, connections, subflows; lenient on bad shapes."""

from __future__ import annotations

from pathlib import Path

from flowrt.load import Wire, load_text
from flowrt.load.document import Origin
from flowrt.load.project import load_project

TEXT = """\
flowrt: 1
id: alerts
env: {T: 3}
connections:
  mq: {type: broker, url: x}
nodes:
  a:
    type: tick
    to: b
  b: {type: route, rules: [x, y], to: {0: [c, d], '1': e}}
  c: {type: 'subflow:sf', env: {P: 1}, label: C, disabled: true}
  bad: 3
  untyped: {to: b}
subflows:
  sf:
    params: {P: {default: 2}}
    input: [m]
    outputs: 1
    nodes:
      m: {type: pass, to: $out}
layout: {a: [1, 2]}
"""


def test_nodes_and_wires() -> None:
    doc = load_text(TEXT, "flows/alerts.yaml")
    assert doc.id == "alerts" and doc.env == {"FLOW_DIR": str(Path("flows").resolve()), "T": 3}
    assert list(doc.nodes) == ["a", "b", "c"]
    b = doc.nodes["b"]
    assert b.config == {"rules": ["x", "y"]}
    assert [(w.port, w.target, w.span.line, w.span.column) for w in b.wires] == [
        (0, "c", 10, 44),
        (0, "d", 10, 47),
        (1, "e", 10, 56),
    ]
    assert doc.nodes["a"].wires == (Wire(0, "b", doc.nodes["a"].wires[0].span),)
    assert doc.nodes["a"].span.line == 7
    c = doc.nodes["c"]
    assert (c.subflow_type, c.env, c.label, c.disabled, c.config) == ("sf", {"P": 1}, "C", True, {})


def test_connections_subflows_layout() -> None:
    doc = load_text(TEXT, "flows/alerts.yaml")
    assert doc.connections["mq"].config == {"url": "x"}
    sf = doc.subflows["sf"]
    assert sf.outputs == 1 and [w.target for w in sf.inputs] == ["m"]
    (wire,) = sf.nodes["m"].wires
    assert wire.subflow_output == 0 and sf.nodes["m"].subflow == "sf"
    assert doc.layout == {"a": [1, 2]}
    assert [n.id for n in doc.all_nodes()] == ["a", "b", "c", "m"]


def test_flow_id_defaults_to_file_stem() -> None:
    assert load_text("flowrt: 1\nnodes: {}\n", "flows/my-flow.yaml").id == "my-flow"


def test_project_directory(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.yaml").write_text("flowrt: 1\nnodes: {}\n")
    (tmp_path / "sub" / "b.json").write_text('{"flowrt": 1, "nodes": {}}')
    (tmp_path / "notes.txt").write_text("ignored")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.yaml").write_text("flowrt: 1\nnodes: {}\n")
    (tmp_path / "broken.yaml").write_text("flowrt: 1\nnodes: {\n")
    project = load_project([tmp_path])
    assert sorted(d.id for d in project.documents) == ["a", "b"]
    assert [d.code for d in project.diagnostics] == ["E001"]
    assert not project.unreadable


def test_empty_directory_and_missing_path(tmp_path) -> None:  # type: ignore[no-untyped-def]
    project = load_project([tmp_path, tmp_path / "missing.yaml"])
    assert [d.code for d in project.diagnostics] == ["E012", "E003"]
    assert project.unreadable


def test_origin_is_read_and_is_not_configuration() -> None:
    doc = load_text(
        "flowrt: 1\nnodes:\n"
        "  a: {type: tick, origin: {id: a1b2c3d4e5f60718, type: inject}, to: b}\n"
        "  b: {type: pass, origin: {id: 5, type: change}}\n"
        "  c: {type: pass, origin: a1b2c3d4e5f60718}\n"
        "  d: {type: pass}\n"
    )
    a = doc.nodes["a"]
    assert a.origin == Origin("a1b2c3d4e5f60718", "inject") and a.config == {}
    # malformed: left out of the view (the schema check reports it), never configuration
    assert [doc.nodes[n].origin for n in "bcd"] == [None, None, None]
    assert all(doc.nodes[n].config == {} for n in "bcd")
