"""The validate node: JSON Schema inline or from files, valid and invalid outputs, errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow

READING = {
    "type": "object",
    "required": ["celsius", "sensor"],
    "properties": {
        "celsius": {"type": "number", "maximum": 100},
        "sensor": {"type": "string", "pattern": "^s[0-9]+$"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "at": {"type": "string", "format": "date-time"},
    },
}


def validate_flow(**options: Any) -> str:
    text = "".join(f", {key}: {json.dumps(value)}" for key, value in options.items())
    return f"flowrt: 1\nnodes:\n  v: {{type: validate{text}}}\n  oops: {{type: catch}}\n"


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        ({"celsius": 21.5, "sensor": "s1", "tags": ["a"]}, None),
        ({"celsius": 21.5, "sensor": "s1", "at": "2024-05-01T10:00:00Z"}, None),
        (
            {"celsius": 120, "sensor": "s1"},
            [("payload.celsius", "/celsius", "maximum", "120 is greater than the maximum of 100")],
        ),
        ({"sensor": "s1"}, [("payload", "", "required", "'celsius' is a required property")]),
        (
            {"celsius": "hot", "sensor": "x", "tags": ["ok", 3]},
            [
                ("payload.celsius", "/celsius", "type", "'hot' is not of type 'number'"),
                ("payload.sensor", "/sensor", "pattern", "'x' does not match '^s[0-9]+$'"),
                ("payload.tags[1]", "/tags/1", "type", "3 is not of type 'string'"),
            ],
        ),
        (
            {"celsius": 1, "sensor": "s1", "at": "yesterday"},
            [("payload.at", "/at", "format", "'yesterday' is not a 'date-time'")],
        ),
        ("text", [("payload", "", "type", "'text' is not of type 'object'")]),
    ],
)
def test_valid_and_invalid_messages_part(payload: Any, errors: list[Any] | None) -> None:
    result = run_flow(validate_flow(schema=READING), inputs=[{"payload": payload}], into="v")
    assert result.errors == []
    if errors is None:
        assert result.payloads("v", 0) == [payload]
        assert result.sent("v", 1) == []
        return
    assert result.sent("v", 0) == []
    [invalid] = result.sent("v", 1)
    assert invalid["payload"] == payload
    assert [(e["path"], e["pointer"], e["keyword"], e["message"]) for e in invalid["errors"]] == (
        errors
    )


def test_formats_can_be_left_unchecked() -> None:
    payload = {"celsius": 1, "sensor": "s1", "at": "yesterday"}
    result = run_flow(
        validate_flow(schema=READING, check_formats=False), inputs=[{"payload": payload}]
    )
    assert result.payloads("v", 0) == [payload]


@pytest.mark.parametrize(
    ("msg", "port"),
    [({"topic": "a/b"}, 0), ({"topic": 5}, 1), ({"payload": 1}, 1)],
)
def test_another_property_and_a_missing_one(msg: dict[str, Any], port: int) -> None:
    result = run_flow(
        validate_flow(schema={"type": "string"}, property="topic"), inputs=[msg], into="v"
    )
    assert len(result.sent("v", port)) == 1


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_schema_from_files_with_refs(tmp_path: Path, suffix: str) -> None:
    (tmp_path / "units.json").write_text(
        json.dumps({"$defs": {"celsius": {"type": "number", "minimum": -273.15}}})
    )
    main = {"type": "object", "properties": {"t": {"$ref": "units.json#/$defs/celsius"}}}
    path = tmp_path / f"reading{suffix}"
    path.write_text(json.dumps(main))  # JSON is YAML too
    result = run_flow(
        validate_flow(schema_file=str(path)),
        inputs=[{"payload": {"t": 20}}, {"payload": {"t": -300}}],
        into="v",
    )
    assert result.payloads("v", 0) == [{"t": 20}]
    [invalid] = result.sent("v", 1)
    assert invalid["errors"][0]["path"] == "payload.t"
    assert invalid["errors"][0]["keyword"] == "minimum"


def test_unresolvable_ref_is_an_error() -> None:
    schema = {"properties": {"t": {"$ref": "https://example.invalid/x.json"}}}
    result = run_flow(validate_flow(schema=schema), inputs=[{"payload": {"t": 1}}], into="v")
    [caught] = result.sent("oops")
    assert caught["error"]["message"].startswith("the schema has a $ref that cannot be resolved")


def test_missing_schema_file_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="cannot read schema_file"):
        run_flow(validate_flow(schema_file=str(tmp_path / "none.json")), inputs=[])


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({}, "give either schema or schema_file"),
        ({"schema": {"type": "string"}, "schema_file": "x.json"}, "give either schema or"),
        ({"schema": {"type": "strange"}}, "invalid JSON Schema at type"),
        ({"schema": {"minimum": "zero"}}, "invalid JSON Schema at minimum"),
    ],
)
def test_bad_configuration_is_a_load_error(options: dict[str, Any], problem: str) -> None:
    with pytest.raises(CheckError) as info:
        run_flow(validate_flow(**options), inputs=[])
    assert problem in str(info.value)
