"""Every example a node type declares is valid: the YAML blocks of its help (shown by
`flowrt nodes show` and on its docs/nodes page) pass load and check, and each field's
``examples`` match the field's schema. Derived from the registry at test time."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest
from ruamel.yaml import YAML

from flowrt.registry import default_registry
from flowrt.registry.spec import NodeSpec
from tests.docs.flow_examples import example_errors

SPECS = list(default_registry())
HELP_EXAMPLES = [
    (spec, n, text)
    for spec in SPECS
    for n, text in enumerate(re.findall(r"^ *```ya?ml\n(.*?)^ *```", spec.details, re.S | re.M))
]
FIELD_EXAMPLES = [
    (spec, name, example)
    for spec in SPECS
    for name, prop in spec.fields.items()
    for example in prop.get("examples", [])
]


def test_there_are_examples() -> None:
    assert len(HELP_EXAMPLES) >= 10 and len(FIELD_EXAMPLES) >= 10


@pytest.mark.parametrize(("spec", "n", "text"), HELP_EXAMPLES,
                         ids=[f"{s.type}-{n}" for s, n, _ in HELP_EXAMPLES])
def test_each_yaml_example_of_a_help_validates(spec: NodeSpec, n: int, text: str) -> None:
    data = YAML(typ="safe").load(text)
    errors = example_errors(data, text, f"{spec.type}-example-{n}.yaml")
    assert errors is not None, f"example {n} of {spec.type}'s help is no flow nor nodes:\n{text}"
    assert errors == [], f"example {n} of {spec.type}'s help:\n{text}\n" + "\n".join(errors)
    nodes = {**data.get("nodes", {}), **data.get("connections", {})} if "flowrt" in data or (
        "nodes" in data or "connections" in data) else data
    assert spec.type in {v.get("type") for v in nodes.values()}, (
        f"example {n} of {spec.type}'s help has no {spec.type} node")


@pytest.mark.parametrize(("spec", "name", "example"), FIELD_EXAMPLES,
                         ids=[f"{s.type}.{f}-{i}" for i, (s, f, _) in enumerate(FIELD_EXAMPLES)])
def test_each_field_example_matches_the_field(spec: NodeSpec, name: str, example: Any) -> None:
    schema = {**spec.fields[name], "$defs": spec.config_schema.get("$defs", {})}
    jsonschema.validate(example, schema)
