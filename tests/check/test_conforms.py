"""The check's quick conformance (:mod:`flowrt.check.conforms`) never calls valid what
jsonschema finds an error in, and calls the valid flows of the repository valid."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest

from flowrt.check import schema as checks
from flowrt.check.conforms import conforms
from flowrt.load import load_project
from flowrt.registry import default_registry

ROOT = Path(__file__).resolve().parents[2]
VALUES: list[Any] = [
    None, True, False, 0, 1, -1, 1.5, 2.0, "", "x", "${X}", [], {}, [1], ["a"], {"a": 1},
    {"type": "num", "value": 1}, 10**6, [{"a": 1}],
]


def mutated(value: Any, rng: random.Random) -> Any:
    """``value`` with one thing changed somewhere: a key dropped or added, a value replaced."""
    value = copy.deepcopy(value)
    if isinstance(value, dict | list) and value and rng.random() < 0.8:
        key = rng.choice(list(value)) if isinstance(value, dict) else rng.randrange(len(value))
        roll = rng.random()
        if roll < 0.2:
            del value[key]
        else:
            value[key] = rng.choice(VALUES) if roll < 0.6 else mutated(value[key], rng)
        return value
    if isinstance(value, dict):
        value[rng.choice(["zz", "type", "to", "rules", "payload"])] = rng.choice(VALUES)
        return value
    return rng.choice(VALUES)


def flows() -> list[Any]:
    project = load_project([ROOT / "flows"])
    assert project.documents
    return project.documents


def test_valid_flows_conform_and_mutated_ones_never_do_when_jsonschema_objects() -> None:
    registry, rng = default_registry(), random.Random(7)
    checked = 0
    for doc in flows():
        assert conforms(checks._top(), doc.data)
        for instance in (mutated(doc.data, rng) for _ in range(40)):
            errors = list(checks._top_validator().iter_errors(instance))
            assert not (errors and conforms(checks._top(), instance)), errors[0].message
        for node in [*doc.all_nodes(), *doc.connections.values()]:
            spec, raw = registry.get(node.type), checks._raw(doc, node.path)
            if spec is None:
                continue
            assert conforms(checks._node(spec), raw), node.id  # checked without jsonschema
            for instance in (mutated(raw, rng) for _ in range(40)):
                errors = list(checks._node_validator(spec).iter_errors(instance))
                assert not (errors and conforms(checks._node(spec), instance)), (
                    node.type, instance, errors[0].message)
                checked += 1
    assert checked > 1000


@pytest.mark.parametrize(("schema", "instance", "expected"), [
    ({"type": "integer"}, 2.0, True),
    ({"type": "integer"}, True, False),
    ({"enum": [1]}, True, False),
    ({"const": False}, 0, False),
    ({"type": "number", "minimum": 3}, "${LOW}", True),  # a reference passes any schema
    ({"type": "object", "additionalProperties": False, "properties": {"a": {}}}, {"b": 1}, False),
    ({"items": False, "prefixItems": [{}]}, [1, 2], False),
    ({"$ref": "#/$defs/n", "$defs": {"n": {"type": "number"}}}, 1, True),
    ({"$ref": "#/$defs/n", "$defs": {"n": {"type": "number"}}}, "1", False),
    ({"$ref": "other.json"}, 1, False),  # not resolved here: jsonschema decides
    ({"uniqueItems": True}, [1], False),  # not evaluated here: jsonschema decides
    ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, 1, False),
])
def test_keywords(schema: dict[str, Any], instance: Any, expected: bool) -> None:
    assert conforms(schema, instance) is expected
