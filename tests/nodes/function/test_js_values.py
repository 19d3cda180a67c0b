"""Values crossing into and out of JavaScript: orjson carries the common case, and whatever it
would carry otherwise than the standard library goes the standard library's way."""

from __future__ import annotations

import dataclasses
import datetime
import json
import math
import uuid

import pytest
from flowrt_nodes.function.js_values import from_json, to_json

from flowrt.testing import run_flow
from tests.nodes.function.jsflow import function_flow


@dataclasses.dataclass
class Point:
    x: int


class Text(str):
    pass


@pytest.mark.parametrize("value", [
    {"payload": {"v": 0.1, "i": 3, "s": "é😀", "t": True, "n": None}, "_msgid": "a1"},
    {"big": 2**70, "negative": -(2**64), "max": 2**64 - 1},
    {1: "int key", 2.5: "float key", None: "null key"},
    {"when": datetime.datetime(2024, 5, 6, 7, 8, 9, 123000), "day": datetime.date(2024, 5, 6)},
    {"point": Point(3), "text": Text("sub"), "id": uuid.UUID(int=5), "set": {1}},
    {"lone": "\ud800", "bytes": b"\x01\xff"},
    (1, [2, (3,)]),
])
def test_to_json_reads_back_as_the_standard_library_writes_it(value: object) -> None:
    assert json.loads(to_json(value)) == json.loads(_standard(value))


def _standard(value: object) -> str:
    """What to_json wrote with the standard library alone."""
    from flowrt_nodes.function.js_values import _any_encode, _finite, _plain_encode

    for encode in (_plain_encode, _any_encode):
        try:
            return str(encode(value))
        except (TypeError, ValueError):
            pass
    return str(_any_encode(_finite(value)))


def test_to_json_marks_non_finite_numbers_written_as_null_by_orjson() -> None:
    written = to_json({"a": math.nan, "b": [math.inf], "c": None})
    assert json.loads(written) == {"a": "\u0000flowrt:NaN", "b": ["\u0000flowrt:Infinity"],
                                   "c": None}


@pytest.mark.parametrize("text", [
    '{"payload":{"v":0.31552602999702817,"i":4242},"_msgid":"4f2a"}',
    "[123456789012345680000,-9223372036854775809,18446744073709551616]",
    "[0.0000012345678901234567,1e+21,5e-324]",
    '[NaN,Infinity,-Infinity,"\\ud800x"]',
    '["é😀","\\u0000flowrt:NaN"]',
])
def test_from_json_reads_as_the_standard_library(text: str) -> None:
    read = from_json(text)
    expected = json.loads(text)
    assert repr(read) == repr(expected)  # int stays int, float float


def test_an_integer_of_twenty_digits_from_javascript_stays_an_int() -> None:
    result = run_flow(function_flow("msg.payload = 1e20 + 0;\nreturn msg;"),
                      inputs=[{"payload": 0}])
    assert result.errors == []
    payload = result.payloads("f")[0]
    assert payload == 100000000000000000000 and type(payload) is int


def test_a_promise_job_of_code_returning_its_message_still_has_its_effect() -> None:
    code = ("Promise.resolve().then(() => console.log('later', msg.payload));\n"
            "msg.payload += 1;\nreturn msg;")
    result = run_flow(function_flow(code), inputs=[{"payload": 1}])
    assert result.errors == []
    assert result.payloads("f") == [2]
    assert ("f", "info", "later 2") in result.logs


def test_nan_returned_beside_an_effect_stays_a_number() -> None:
    code = "console.log('x');\nmsg.payload = [NaN, null, 'null'];\nreturn msg;"
    result = run_flow(function_flow(code), inputs=[{"payload": 0}])
    assert result.errors == []
    payload = result.payloads("f")[0]
    assert math.isnan(payload[0]) and payload[1:] == [None, "null"]
    assert ("f", "info", "x") in result.logs


def test_a_null_that_was_null_stays_null() -> None:
    result = run_flow(function_flow("msg.topic = null;\nreturn msg;"),
                      inputs=[{"payload": "null", "topic": "t"}])
    assert result.errors == []
    assert result.sent("f", 0)[0]["topic"] is None
    assert result.payloads("f") == ["null"]


def test_with_a_timeout_code_naming_no_scope_reads_every_scope_as_empty() -> None:
    code = ("const c = arguments[2];\n"
            "msg.payload = [c.get('k') === undefined, c.keys().length, c.flow.get('f')];\n"
            "c.set('k', 1);\nreturn msg;")
    flow = function_flow(code, timeout=5)
    result = run_flow(flow, inputs=[{"payload": 0}, {"payload": 1}])
    assert result.errors == []
    assert result.payloads("f") == [[True, 0, None], [True, 0, None]]


def test_nan_set_on_a_message_that_came_with_a_null_stays_a_number() -> None:
    result = run_flow(function_flow("msg.payload.n = NaN;\nreturn msg;"),
                      inputs=[{"payload": {"a": None}}])
    assert result.errors == []
    payload = result.payloads("f")[0]
    assert payload["a"] is None and math.isnan(payload["n"])
