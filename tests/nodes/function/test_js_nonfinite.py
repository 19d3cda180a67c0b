"""NaN and the infinities stay numbers between nodes, as in Node-RED (messages cross into and
out of JavaScript as JSON, which has no such numbers); written out as JSON by a node they
become null, as JSON.stringify writes them."""

from __future__ import annotations

import json
import math

from flowrt.message import js_dumps
from flowrt.testing import run_flow
from tests.nodes.function.jsflow import function_flow

SOURCE = "msg.payload = {a: NaN, b: Infinity, c: -Infinity, d: null, e: [NaN, 1]};\nreturn msg;"
READ = (
    "const p = msg.payload;\n"
    "msg.payload = [typeof p.a, String(p.a), String(p.b), String(p.c), p.d, String(p.e[0]),"
    " JSON.stringify(p)];\nreturn msg;"
)


def test_nonfinite_numbers_reach_the_next_function_as_numbers() -> None:
    flow = function_flow(SOURCE, to="g", extra=f"g: {{type: function, func: {json.dumps(READ)}}}")
    result = run_flow(flow, inputs=[{"payload": 0}], into="f")
    assert result.errors == []
    sent = result.sent("f", 0)[0]["payload"]
    assert math.isnan(sent["a"]) and sent["b"] == math.inf and sent["c"] == -math.inf
    assert sent["d"] is None and math.isnan(sent["e"][0])
    assert result.payloads("g") == [[
        "number", "NaN", "Infinity", "-Infinity", None, "NaN",
        '{"a":null,"b":null,"c":null,"d":null,"e":[null,1]}',
    ]]


def test_nonfinite_numbers_from_python_enter_javascript_as_numbers() -> None:
    flow = function_flow("msg.payload = [typeof msg.payload.x, String(msg.payload.x), "
                         "String(msg.payload.y[0])];\nreturn msg;")
    result = run_flow(flow, inputs=[{"payload": {"x": math.nan, "y": [-math.inf]}}])
    assert result.payloads("f") == [["number", "NaN", "-Infinity"]]


def test_a_json_node_writes_them_as_null() -> None:
    flow = function_flow(SOURCE, to="j", extra="j: {type: json}")
    result = run_flow(flow, inputs=[{"payload": 0}], into="f")
    assert result.errors == []
    assert result.payloads("j") == ['{"a":null,"b":null,"c":null,"d":null,"e":[null,1]}']


def test_js_dumps_writes_them_as_json_stringify_does() -> None:
    value = {"a": math.nan, "b": [math.inf, -math.inf, 1.5], "c": "NaN"}
    assert js_dumps(value, separators=(",", ":")) == '{"a":null,"b":[null,null,1.5],"c":"NaN"}'


def test_the_debug_log_shows_them_as_node_red_does() -> None:
    from flowrt_nodes.core.debug import format_value

    assert format_value({"a": math.nan, "b": -math.inf}) == '{"a": NaN, "b": -Infinity}'
