"""Ontologies: collected from `ontologies:` keys and `schemas/` folders; names unique; port keys."""

from __future__ import annotations

import json
from pathlib import Path

from flowrt.load import load_project, load_text
from flowrt.load.ontologies import collect_ontologies, declared_ports, with_named_schema

FLOW = """\
flowrt: 1
id: f
ontologies:
  Reading:
    type: object
    required: [celsius]
nodes:
  src: {type: inject, out: Reading, to: sink}
  sink: {type: debug, in: Reading, out: {0: Reading, 2: Other}}
"""


def test_the_ontologies_key_names_schemas_where_they_are_written() -> None:
    found = collect_ontologies([load_text(FLOW, "f.yaml")])
    assert found.diagnostics == []
    assert set(found.named) == {"Reading"}
    reading = found.named["Reading"]
    assert reading.schema == {"type": "object", "required": ["celsius"]}
    assert (reading.span.file, reading.span.line, reading.span.column) == ("f.yaml", 4, 3)


def test_in_and_out_are_node_keys_not_configuration() -> None:
    doc = load_text(FLOW, "f.yaml")
    sink = doc.nodes["sink"]
    assert "in" not in sink.config and "out" not in sink.config
    ports = declared_ports(doc, sink)
    assert ports.input is not None and ports.input.name == "Reading"
    assert (ports.input.span.line, ports.input.span.column) == (9, 27)
    assert {p: ref.name for p, ref in ports.outputs.items()} == {0: "Reading", 2: "Other"}
    src = declared_ports(doc, doc.nodes["src"])
    assert src.input is None and {p: r.name for p, r in src.outputs.items()} == {0: "Reading"}


def _project(tmp_path: Path, schemas: dict[str, str], flow: str = FLOW) -> Path:
    (tmp_path / "schemas").mkdir()
    for name, text in schemas.items():
        (tmp_path / "schemas" / name).write_text(text)
    (tmp_path / "main.yaml").write_text(flow)
    return tmp_path


def test_a_schemas_folder_beside_the_flows_adds_ontologies_and_holds_no_flows(
        tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "Alert.schema.json": json.dumps({"type": "object", "required": ["level"]}),
        "Humidity.schema.yaml": "type: object\nrequired: [percent]\n",
        "notes.txt": "not a schema",
    })
    project = load_project([root])
    assert [d.code for d in project.diagnostics] == []
    assert [Path(d.file).name for d in project.documents] == ["main.yaml"]
    found = collect_ontologies(project.documents)
    assert found.diagnostics == []
    assert set(found.named) == {"Reading", "Alert", "Humidity"}
    assert found.named["Humidity"].schema == {"type": "object", "required": ["percent"]}
    assert found.named["Alert"].span.file.endswith("schemas/Alert.schema.json")


def test_a_name_given_twice_is_an_error_naming_both_places(tmp_path: Path) -> None:
    root = _project(tmp_path, {"Reading.schema.json": "{}"})
    found = collect_ontologies(load_project([root]).documents)
    assert [d.code for d in found.diagnostics] == ["E071"]
    problem = found.diagnostics[0]
    assert problem.file.endswith("Reading.schema.json")
    assert "main.yaml:4" in problem.message
    assert found.named["Reading"].span.file.endswith("main.yaml")  # the first one is kept


def test_an_invalid_schema_or_name_or_file_is_reported(tmp_path: Path) -> None:
    flow = FLOW.replace("    type: object\n", "    type: thing\n")
    root = _project(tmp_path, {"Broken.schema.yaml": "type: [object\n",
                               "bad name.schema.json": "{}"}, flow)
    found = collect_ontologies(load_project([root]).documents)
    codes = sorted((d.code, Path(d.file).name) for d in found.diagnostics)
    assert codes == [("E001", "Broken.schema.yaml"), ("E072", "bad name.schema.json"),
                     ("E072", "main.yaml")]
    assert found.named == {}


def test_a_schema_field_naming_an_ontology_gets_its_schema() -> None:
    found = collect_ontologies([load_text(FLOW, "f.yaml")])
    config = {"schema": "Reading", "property": "payload"}
    assert with_named_schema("validate", config, found) == {
        "schema": {"type": "object", "required": ["celsius"]}, "property": "payload"}
    assert with_named_schema("validate", {"schema": "Nope"}, found) == {"schema": "Nope"}
    assert with_named_schema("json", config, found) == config
