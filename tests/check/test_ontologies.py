"""Typed ports: unknown ontology names, types carried and inferred across wires, --strict."""

from __future__ import annotations

import pytest

from flowrt.check import check
from flowrt.check.port_types import PortType, mismatches
from flowrt.diagnostics import Diagnostic
from flowrt.load import Project, load_text

ONTOLOGIES = """\
flowrt: 1
id: f
ontologies:
  Temperature:
    type: object
    required: [sensor, celsius]
    properties:
      sensor: {type: string}
      celsius: {type: number}
  Humidity:
    type: object
    required: [sensor, percent]
    properties:
      sensor: {type: string}
      percent: {type: number}
  Alert:
    type: object
    required: [sensor, level]
    properties:
      sensor: {type: string}
      level: {type: string}
  Text: {type: string}
nodes:
"""
HEAD_LINES = ONTOLOGIES.count("\n")


def found(nodes: str, strict: bool = False, others: tuple[str, ...] = ()) -> list[Diagnostic]:
    docs = [load_text(ONTOLOGIES + nodes, "<f>.yaml")]
    docs += [load_text(text, f"<other{i}>.yaml") for i, text in enumerate(others)]
    return [d for d in check(Project(documents=docs), strict=strict)
            if d.code.startswith(("E07", "W113"))]


def codes(nodes: str, strict: bool = False) -> list[tuple[str, str, int]]:
    return [(d.code, d.node, d.line - HEAD_LINES) for d in found(nodes, strict)]


CHECKED = """\
  src: {type: inject, to: parse}
  parse: {type: json, to: check}
  check: {type: validate, schema: Temperature, to: {0: store}}
"""


def test_a_validated_type_fits_the_input_that_takes_it() -> None:
    assert codes(CHECKED + "  store: {type: debug, in: Temperature}\n") == []


def test_a_wire_into_an_input_of_another_type_is_an_error_at_the_wire() -> None:
    [problem] = found(CHECKED + "  store: {type: debug, in: Humidity}\n")
    assert problem.code == "E074"
    assert (problem.node, problem.line - HEAD_LINES) == ("check", 3)
    written = (ONTOLOGIES + CHECKED).splitlines()[problem.line - 1]
    assert written[problem.column - 1:].startswith("store}")
    assert "Temperature" in problem.message and "Humidity" in problem.message
    assert "'percent'" in problem.message
    assert "set 'percent' upstream" in problem.hint


def test_a_property_of_another_type_is_a_conflict() -> None:
    flow = CHECKED.replace("to: {0: store}", "to: {0: convert}") + """\
  convert: {type: change, rules: [{set: payload.level, to: 3}], to: store}
  store: {type: debug, in: Alert}
"""
    [problem] = found(flow)
    assert (problem.code, problem.node) == ("E073", "convert")
    assert "'level' is integer where string is wanted" in problem.message


def test_change_with_literal_sets_adds_the_properties_it_sets() -> None:
    flow = CHECKED.replace("to: {0: store}", "to: {0: convert}") + """\
  convert: {type: change, rules: [{set: payload.level, to: high}], to: store}
  store: {type: debug, in: Alert}
"""
    assert codes(flow) == []
    without = flow.replace("set: payload.level", "set: topic")
    assert codes(without) == [("E074", "convert", 4)]
    deleted = flow.replace("rules: [", "rules: [{delete: payload.sensor}, ")
    assert codes(deleted) == [("E074", "convert", 4)]


def test_template_sends_text_and_json_an_object() -> None:
    flow = """\
  src: {type: inject, to: [page, parse]}
  page: {type: template, template: hello, to: [text, alert]}
  parse: {type: json, to: [text, alert]}
  text: {type: debug, in: Text}
  alert: {type: debug, in: Alert}
"""
    result = found(flow)
    assert sorted((d.code, d.node, d.line - HEAD_LINES) for d in result) == [
        ("E073", "page", 2), ("E073", "parse", 3), ("E074", "parse", 3)]
    page = next(d for d in result if d.node == "page")
    assert "string where object is wanted" in page.message


def test_a_declared_output_type_is_what_the_port_sends() -> None:
    flow = """\
  src: {type: inject, out: Humidity, to: store}
  store: {type: debug, in: Temperature}
"""
    assert codes(flow) == [("E074", "src", 1)]
    assert codes(flow.replace("out: Humidity", "out: {0: Temperature}")) == []


@pytest.mark.parametrize("flow", [
    "  src: {type: inject, out: Temperatur, to: store}\n  store: {type: debug}\n",
    "  src: {type: inject, to: store}\n  store: {type: debug, in: Temperatur}\n",
    "  src: {type: inject, to: check}\n  check: {type: validate, schema: Temperatur}\n",
])
def test_an_unknown_name_is_an_error_with_a_close_match(flow: str) -> None:
    [problem] = found(flow)
    assert problem.code == "E070"
    assert problem.hint == "did you mean 'Temperature'?"
    written = (ONTOLOGIES + flow).splitlines()[problem.line - 1]
    assert written[problem.column - 1:].startswith("Temperatur")


def test_an_untyped_port_into_a_typed_input_is_a_warning_under_strict_only() -> None:
    flow = "  src: {type: inject, to: store}\n  store: {type: debug, in: Temperature}\n"
    assert codes(flow) == []
    [problem] = found(flow, strict=True)
    assert (problem.code, problem.node, problem.line - HEAD_LINES) == ("W113", "src", 1)
    assert "out: Temperature" in problem.hint


def test_types_are_checked_inside_subflows_and_across_files() -> None:
    flow = """\
  src: {type: inject, out: Humidity, to: store}
subflows:
  inner:
    input: a
    nodes:
      a: {type: template, template: x, to: b}
      b: {type: debug, in: Temperature}
"""
    other = "flowrt: 1\nid: g\nnodes:\n  store: {type: debug, in: Temperature}\n"
    result = found(flow, others=(other,))
    assert sorted((d.code, d.node) for d in result) == [("E073", "a"), ("E074", "src")]


def test_the_ontologies_key_is_part_of_the_flow_format() -> None:
    docs = [load_text(ONTOLOGIES + "  src: {type: inject, in: 5}\n", "<f>.yaml")]
    assert [d.code for d in check(Project(documents=docs))] == ["E022"]
    docs = [load_text("flowrt: 1\nontologies: {A: 5}\nnodes: {}\n", "<f>.yaml")]
    assert [d.code for d in check(Project(documents=docs))] == ["E022"]


def test_compatibility_is_the_required_properties_and_their_types() -> None:
    number = PortType("N", {"type": "object", "required": ["v"],
                            "properties": {"v": {"type": "number"}}})
    integer = PortType("I", {"type": "object", "required": ["v", "w"],
                             "properties": {"v": {"type": "integer"}}})
    assert not mismatches(integer, number)  # an integer is a number, extra properties are fine
    assert mismatches(number, integer).missing == ("w",)
    assert mismatches(number, integer).conflicts == ("'v' is number where integer is wanted",)
    assert not mismatches(PortType("any", {}), PortType("x", {"type": "string"}))


def test_types_settle_on_a_loop() -> None:
    flow = """\
  src: {type: inject, out: Temperature, to: again}
  again: {type: change, rules: [{set: payload.level, to: high}], to: [wait, alert, humid]}
  wait: {type: delay, to: again}
  alert: {type: debug, in: Alert}
  humid: {type: debug, in: Humidity}
"""
    # what reaches `again` is a Temperature, or what `again` itself sent: no one type
    assert codes(flow) == []
    assert codes(flow, strict=True) == [("W113", "again", 2), ("W113", "again", 2)]
    typed = flow.replace("{type: change,", "{type: change, in: Temperature,")
    [problem] = found(typed)  # a Temperature with a level is an Alert, and no Humidity
    assert (problem.code, problem.node) == ("E074", "again")
    assert "to 'humid'" in problem.message and "'percent'" in problem.message
