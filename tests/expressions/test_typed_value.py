from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from flowrt.expressions.props import MISSING
from flowrt.expressions.typed_value import Pattern, TypedValue, Value, compile_value, evaluate


class Stores:
    """A node context with real dict-backed stores: what evaluate reads from."""

    def __init__(self) -> None:
        self.flow = DictStore({"count": 3, "cfg": {"limit": [5, 6]}})
        self.global_ = DictStore({"site": "plant-1"})
        self.env = {"THRESHOLD": "30", "UNIT": "C"}

    def now(self) -> float:
        return 1_700_000_000.25


class DictStore:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value

    def keys(self) -> list[str]:
        return list(self.data)


class Holder(BaseModel):
    v: Value


MSG = {"payload": {"x": 4, "name": "abc"}, "topic": "t/1"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (42, 42),
        ("hello", "hello"),
        (True, True),
        (None, None),
        ([1, {"a": 2}], [1, {"a": 2}]),
        ({"type": "str", "value": "x"}, "x"),
        ({"type": "str", "value": 5}, "5"),
        ({"type": "str", "value": False}, "false"),
        ({"type": "num", "value": "12"}, 12),
        ({"type": "num", "value": "1.5"}, 1.5),
        ({"type": "num", "value": "0x10"}, 16),
        ({"type": "num", "value": 3}, 3),
        ({"type": "bool", "value": "true"}, True),
        ({"type": "bool", "value": False}, False),
        ({"type": "json", "value": '{"a": [1, 2]}'}, {"a": [1, 2]}),
        ({"type": "json", "value": {"unit": "C"}}, {"unit": "C"}),
        ({"type": "bin", "value": [104, 105]}, b"hi"),
        ({"type": "bin", "value": "hi"}, b"hi"),
        ({"type": "bin", "value": "[1, 2]"}, b"\x01\x02"),
        ({"type": "msg", "value": "payload.x"}, 4),
        ({"type": "msg", "value": "payload.nope"}, MISSING),
        ({"type": "flow", "value": "count"}, 3),
        ({"type": "flow", "value": "cfg.limit[1]"}, 6),
        ({"type": "flow", "value": "#:(memory)::count"}, 3),
        ({"type": "flow", "value": "nope"}, MISSING),
        ({"type": "global", "value": "site"}, "plant-1"),
        ({"type": "env", "value": "THRESHOLD"}, "30"),
        ({"type": "env", "value": "NOPE"}, MISSING),
        ({"type": "env", "value": "${THRESHOLD} ${UNIT}!"}, "30 C!"),
        ({"type": "date"}, 1_700_000_000_250),
        ({"type": "date", "value": "iso"}, "2023-11-14T22:13:20.250Z"),
        ({"type": "jsonata", "value": "payload.x * 2"}, 8),
        ({"type": "jsonata", "value": "$uppercase(payload.name)"}, "ABC"),
        ({"type": "jsonata", "value": "payload.nope"}, MISSING),
        ({"type": "jsonata", "value": "null"}, None),
        ({"type": "jsonata", "value": "[1, null]"}, [1, None]),
        ({"type": "jsonata", "value": "$flowContext('count') + 1"}, 4),
        ({"type": "jsonata", "value": "$globalContext('site')"}, "plant-1"),
        ({"type": "jsonata", "value": "$env('UNIT')"}, "C"),
    ],
)
def test_evaluate(raw: Any, expected: Any) -> None:
    value = Holder.model_validate({"v": raw}).v
    ctx: Any = Stores()
    assert evaluate(value, MSG, ctx) == expected
    assert compile_value(value, ctx)(MSG) == expected


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ({"type": "num", "value": "twelve"}, "must be a number"),
        ({"type": "num", "value": "nan"}, "finite"),
        ({"type": "num", "value": True}, "must be a number"),
        ({"type": "bool", "value": "yes"}, "true or false"),
        ({"type": "json", "value": "{bad"}, "invalid JSON"),
        ({"type": "bin", "value": [300]}, "byte values"),
        ({"type": "msg", "value": "a..b"}, "invalid property path"),
        ({"type": "env", "value": ""}, "variable name"),
        ({"type": "date", "value": "yyyy"}, "epoch milliseconds"),
        ({"type": "jsonata", "value": "payload +"}, "invalid JSONata"),
        ({"type": "regex", "value": "x"}, "type"),
        ({"type": "str", "value": "x", "extra": 1}, "extra"),
        ({"unit": "C"}, "type"),
    ],
)
def test_invalid_values_fail_at_load(raw: Any, error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        Holder.model_validate({"v": raw})


def test_constant_containers_are_copied_per_message() -> None:
    ctx: Any = Stores()
    for raw in ([1, [2]], {"type": "json", "value": {"a": [1]}}):
        get = compile_value(Holder.model_validate({"v": raw}).v, ctx)
        first = get(MSG)
        first.append(0) if isinstance(first, list) else first.update(b=1)
        assert get(MSG) != first


def test_pattern_compiles_once_and_rejects_bad_regex() -> None:
    class Has(BaseModel):
        p: Pattern

    assert Has.model_validate({"p": {"type": "re", "value": "^a+"}}).p.regex.match("aa")
    with pytest.raises(ValidationError, match="invalid regular expression"):
        Has.model_validate({"p": {"type": "re", "value": "(a"}})


def test_schema_offers_literals_and_typed_values() -> None:
    schema = Holder.model_json_schema()
    typed = schema["$defs"]["TypedValue"]
    assert typed["required"] == ["type"]
    assert "jsonata" in typed["properties"]["type"]["enum"]
    assert typed["additionalProperties"] is False


def test_typed_value_is_frozen() -> None:
    value = TypedValue(type="num", value="1")
    with pytest.raises(ValidationError):
        value.type = "str"  # type: ignore[misc]


def test_property_path_is_checked_at_load() -> None:
    from flowrt.expressions.typed_value import PropertyPath

    class Config(BaseModel):
        path: PropertyPath

    assert Config(path="payload.a[0]").path == "payload.a[0]"
    with pytest.raises(ValidationError, match="invalid property path"):
        Config(path="payload..a")
