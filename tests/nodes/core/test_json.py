"""The json node, through the real engine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import FlowResult, run_flow


def run(msgs: list[dict[str, Any]], **options: Any) -> FlowResult:
    node = {"type": "json", **options}
    return run_flow(json.dumps({"flowrt": 1, "nodes": {"j": node}}), inputs=msgs)


@pytest.mark.parametrize(
    ("options", "payload", "expected"),
    [
        ({}, '{"a": [1, 2.5, null, true]}', {"a": [1, 2.5, None, True]}),
        ({}, '"text"', "text"),
        ({}, ' \n {"a": 1} \n', {"a": 1}),
        ({}, '{"u": "\\u00e9"}', {"u": "é"}),
        ({}, "12", 12),
        ({}, {"a": [1, "é"]}, '{"a":[1,"é"]}'),
        ({}, [1, 2], "[1,2]"),
        ({}, 5, "5"),
        ({}, True, "true"),
        ({}, None, "null"),
        ({"pretty": True}, {"a": {"b": 1}}, '{\n    "a": {\n        "b": 1\n    }\n}'),
        ({"action": "object"}, '{"a": 1}', {"a": 1}),
        ({"action": "object"}, {"a": 1}, {"a": 1}),
        ({"action": "string"}, '{"a": 1}', '{"a": 1}'),
        ({"action": "string"}, {"a": 1}, '{"a":1}'),
    ],
)
def test_conversion(options: dict[str, Any], payload: Any, expected: Any) -> None:
    result = run([{"payload": payload}], **options)
    assert result.errors == []
    assert result.payloads("j") == [expected]


def test_property_and_missing_property() -> None:
    result = run([{"payload": {"raw": "[1]"}}, {"topic": "x"}], property="payload.raw")
    assert result.payloads("j") == [{"raw": [1]}, None]


@pytest.mark.parametrize("text", ["{bad", "", "NaN", "{'a': 1}", "{} x", "[1] [2]", "  "])
def test_invalid_text_is_an_error(text: str) -> None:
    result = run([{"payload": text}])
    assert result.sent("j") == []
    assert len(result.errors) == 1 and "not valid JSON" in result.errors[0].message


@pytest.mark.parametrize("value", [{"b": b"x"}, {"s": {1, 2}}])
def test_values_json_cannot_hold_are_errors(value: Any) -> None:
    result = run([{"payload": value}])
    assert result.sent("j") == []
    assert len(result.errors) == 1 and "cannot be written as JSON" in result.errors[0].message


def test_nan_and_infinities_are_written_as_null_as_json_stringify_does() -> None:
    result = run([{"payload": float("nan")}, {"payload": {"a": [float("inf"), -float("inf")]}}])
    assert result.errors == []
    assert result.payloads("j") == ["null", '{"a":[null,null]}']


def test_bytes_are_read_as_utf8_text_as_node_red_reads_a_buffer() -> None:
    result = run([{"payload": b' {"a": "\xc3\xa9"}\r\n'}, {"payload": b"{x"}])
    assert result.payloads("j") == [{"a": "\u00e9"}]
    assert len(result.errors) == 1 and "not valid JSON" in result.errors[0].message
    assert run([{"payload": b"[1]"}], action="string").payloads("j") == [b"[1]"]


SCHEMA = {"type": "object", "required": ["t"], "properties": {"t": {"type": "number"}}}


@pytest.mark.parametrize(
    ("payload", "action", "valid", "expected"),
    [
        ('{"t": 1}', "auto", True, {"t": 1}),
        ('{"t": "x"}', "auto", False, None),
        ({"t": 2}, "auto", True, '{"t":2}'),
        ({}, "auto", False, None),
        ('{"t": 3}', "string", True, '{"t": 3}'),
        ({"t": "x"}, "object", False, None),
    ],
)
def test_schema_from_the_message(payload: Any, action: str, valid: bool, expected: Any) -> None:
    result = run([{"payload": payload, "schema": SCHEMA}], action=action)
    if valid:
        assert result.errors == []
        [out] = result.sent("j")
        assert out["payload"] == expected and "schema" not in out
    else:
        assert result.sent("j") == []
        [error] = result.errors
        assert "validation failed" in error.message
        assert error.msg is not None and error.msg["schemaError"][0]["path"] in ("/", "/t")


def test_schema_from_the_config_and_invalid_schemas() -> None:
    result = run([{"payload": '{"t": 1}'}, {"payload": "{}"}], schema=SCHEMA)
    assert result.payloads("j") == [{"t": 1}]
    assert len(result.errors) == 1
    bad = run([{"payload": "{}", "schema": {"type": 5}}])
    assert bad.sent("j") == [] and "not a valid JSON Schema" in bad.errors[0].message
    with pytest.raises(CheckError, match="invalid JSON Schema"):
        run([], schema={"type": 5})


def test_stdlib_json_is_not_shadowed() -> None:
    import flowrt_nodes.core.json as node_module
    import flowrt_nodes.core.switch_matchers as matchers

    assert matchers.json is json is node_module.json
    assert "nodes" not in json.__file__
