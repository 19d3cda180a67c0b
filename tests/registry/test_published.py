"""The published schemas' shape, without a language server (tests/registry/test_language_server.py
checks them with one): type lists, references, examples, type descriptions, one grammar."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from ruamel.yaml import YAML

from flowrt.load.env import REFERENCE_SCHEMA, WHOLE
from flowrt.registry import default_registry
from flowrt.registry.catalog import build_flow_schema
from flowrt.registry.published import (
    allow_reference,
    structured_examples,
    takes_any_text,
    type_lists,
)
from flowrt.testing.spec import build_test_schema

ROOT = Path(__file__).resolve().parent.parent.parent
REF = {"$ref": "#/$defs/envref"}


def walk(schema: Any) -> list[dict[str, Any]]:
    """Every schema object inside a schema."""
    found: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        found.append(schema)
        for value in schema.values():
            found.extend(walk(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(walk(value))
    return found


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "number"},
                    {"type": "array", "items": {}}, {"type": "null"}], "title": "Eq"},
         {"type": ["string", "number", "array", "null"], "title": "Eq"}),
        ({"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "null"}]},
         {"type": ["number", "null"], "exclusiveMinimum": 0}),
        ({"anyOf": [{"enum": ["a"], "type": "string"}, {"type": "null"}]},
         {"anyOf": [{"enum": ["a"], "type": "string"}, {"type": "null"}]}),
        ({"anyOf": [{"type": "string"}, {"$ref": "#/$defs/x"}]},
         {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/x"}]}),
    ],
)
def test_unions_of_plain_types_become_type_lists(given: Any, expected: Any) -> None:
    assert type_lists(given) == expected


def test_a_reference_wrapper_is_annotated_once() -> None:
    prop = {"type": "number", "minimum": 1, "title": "Repeat", "description": "Seconds.",
            "default": 2, "examples": [1, 60]}
    wrapped = allow_reference(prop, REF)
    assert wrapped == {"title": "Repeat", "description": "Seconds.", "default": 2,
                       "examples": [1, 60], "oneOf": [{"type": "number", "minimum": 1}, REF]}
    text = {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/t"}], "description": "A path."}
    assert takes_any_text(text) and allow_reference(text, REF) is text


def test_structured_examples_are_snippets() -> None:
    prop = structured_examples({"type": "array", "examples": [[{"gt": 30}], "x"]})
    assert prop["examples"] == ["x"]
    assert prop["defaultSnippets"] == [
        {"label": '[{"gt": 30}]', "description": "An example.", "body": [{"gt": 30}]}
    ]


def test_the_flow_schema_has_no_structured_example_and_describes_every_type() -> None:
    registry = default_registry()
    schema = build_flow_schema(registry)
    for sub in walk(schema):
        assert not any(isinstance(e, dict | list) for e in sub.get("examples", [])), sub
        branches = sub.get("anyOf", [])
        assert not (len(branches) > 1 and all(set(b) == {"type"} for b in branches)), sub
    choices = schema["$defs"]["node"]["properties"]["type"]["anyOf"]
    described = {c["const"]: c["description"] for c in choices if "const" in c}
    assert described == {s.type: s.summary for s in registry if not s.is_connection}


def test_the_reference_grammar_is_the_loaders() -> None:
    schema = build_flow_schema(default_registry())
    assert schema["$defs"]["envref"] == REFERENCE_SCHEMA
    assert REFERENCE_SCHEMA["pattern"] == WHOLE.pattern
    inject = default_registry().get("inject")
    assert inject is not None
    assert inject.to_dict()["schema"]["$defs"]["envref"] == REFERENCE_SCHEMA


def _load(path: Path) -> Any:
    return json.loads(json.dumps(YAML(typ="safe").load(path.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("path", sorted((ROOT / "flows").glob("*.yaml")), ids=lambda p: p.name)
def test_each_example_file_is_valid_under_its_schema_only(path: Path) -> None:
    flow = Draft202012Validator(build_flow_schema(default_registry()))
    tests = Draft202012Validator(build_test_schema())
    data = _load(path)
    right, wrong = (tests, flow) if path.name.endswith(".test.yaml") else (flow, tests)
    assert [e.message for e in right.iter_errors(data)] == []
    assert not wrong.is_valid(data)
