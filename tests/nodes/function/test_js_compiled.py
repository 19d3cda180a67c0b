"""A function body compiled to Python (js_compile.py) gives what QuickJS gives, edge by edge:
each case runs compiled and through the QuickJS path (the engine the node uses inline), and
the two must agree on the message sent (its values, their Python types, its key order), on
sending nothing, or the compiled run must step aside (undoing what it wrote) for QuickJS."""

from __future__ import annotations

import copy
import math
from functools import lru_cache
from typing import Any

import pytest
from flowrt_nodes.function.js_compile import NOT_COMPILED, compile_body
from flowrt_nodes.function.js_engine import JsEngine
from flowrt_nodes.function.js_values import from_json, to_json

from flowrt.testing import run_flow
from tests.nodes.function.jsflow import function_flow


@lru_cache(maxsize=64)
def _engine(body: str) -> JsEngine:
    return JsEngine({"id": "f", "name": "", "outputs": 1, "code": {"body": body},
                     "timeout": 0, "memory_limit": 64, "env": "{}"},
                    get=lambda scope, key: "", keys=lambda scope: "[]")


def in_quickjs(body: str, msg: dict[str, Any]) -> tuple[str, Any]:
    """What the QuickJS path makes of ``msg``: ("sent", message), ("none", None),
    ("other", output) or ("error", text)."""
    reply = _engine(body).call(to_json(msg))
    if reply.startswith("="):
        return "sent", from_json(reply[1:])
    entry = from_json(reply)[0]
    state, out = entry[0], entry[2]
    if state == 3:
        return "sent", out
    if state == 2:
        return "error", out[0]
    return ("none", None) if out is None else ("other", out)


def shown(value: Any) -> str:
    """``repr``, which tells 2 from 2.0 and -0.0 from 0.0, and shows key order."""
    return repr(value)


def compared(body: str, msg: dict[str, Any]) -> str:
    """Run ``body`` both ways and check they agree; "compiled" or "deopt" (how it ran)."""
    compiled = compile_body(body)
    assert compiled is not None, body
    mine = copy.deepcopy(msg)
    out = compiled.run(mine)
    if out is NOT_COMPILED:
        assert shown(mine) == shown(msg), "a deoptimised run left writes behind"
        return "deopt"
    kind, expected = in_quickjs(body, copy.deepcopy(msg))
    assert kind in ("sent", "none"), (body, msg, kind, expected)
    if kind == "none":
        assert out is None and shown(mine) == shown(msg)
    else:
        assert out is mine and shown(mine) == shown(expected), (body, msg)
    return "compiled"


def value_of(expr: str, payload: Any = None) -> Any:
    """``expr`` stored in msg.r, compiled; asserts QuickJS stores the same."""
    body = f"msg.r = {expr};\nreturn msg;"
    msg = {"_msgid": "m", "payload": payload}
    assert compared(body, msg) == "compiled", expr
    compiled = compile_body(body)
    assert compiled is not None
    return compiled.run(copy.deepcopy(msg))["r"]


CHAIN5 = "msg.payload.y = msg.payload.v * 2;\nreturn msg;"
PIPELINE = ("const p = msg.payload;\np.celsius = Math.round((p.value - 32) * 500 / 9) / 100;\n"
            "p.time = 1700000000000 + p.id;\nreturn msg;")


@pytest.mark.parametrize("v", [0.25, 3, 2.5, 1e300, -7, 2 ** 52, 0.1, 2.0])
def test_chain5_runs_compiled_and_as_quickjs_does(v: Any) -> None:
    assert compared(CHAIN5, {"_msgid": "a", "payload": {"v": v, "i": 1, "x": 1}}) == "compiled"


@pytest.mark.parametrize("value", [71.3, 32, -40, 212.5, 0, 1e-9, 98.60000000000001])
def test_the_pipeline_body_runs_compiled_and_as_quickjs_does(value: Any) -> None:
    msg = {"payload": {"value": value, "id": 12345}, "topic": "t"}
    assert compared(PIPELINE, msg) == "compiled"


@pytest.mark.parametrize("x, expected", [
    (2.5, 3), (-2.5, -2), (0.49999999999999994, 0), (-0.5, -0.0), (1.5, 2), (-1.5, -1),
    (2 ** 52 + 0.5, 2 ** 52 + 0.5), (-(2 ** 52) - 0.5, -(2 ** 52) - 0.5)])
def test_math_round_goes_half_up(x: float, expected: float) -> None:
    if expected == 0 and math.copysign(1, expected) < 0:  # -0 is written by QuickJS
        assert compared("msg.r = Math.round(msg.payload);\nreturn msg;", {"payload": x}) \
            == "deopt"
    else:
        assert value_of("Math.round(msg.payload)", x) == expected
    sign = value_of("1 / Math.round(msg.payload) > 0", x)
    assert sign == (math.copysign(1, expected) > 0)


@pytest.mark.parametrize("expr, expected", [
    ('"a" + 1', "a1"), ('1 + "a"', "1a"), ('"x" + 0.1', "x0.1"), ('"x" + 1e21', "x1e+21"),
    ('"x" + 1e-7', "x1e-7"), ('"x" + 0.000001', "x0.000001"), ('"x" + -0', "x0"),
    ('"x" + null', "xnull"), ('"x" + undefined', "xundefined"), ('"x" + true', "xtrue"),
    ('"x" + NaN', "xNaN"), ('"x" + -Infinity', "x-Infinity"), ('"x" + 1/3', "x0.3333333333333333"),
    ("1 + 2 + \"3\"", "33"), ("\"1\" + 2 + 3", "123"), ('"x" + 123456789012', "x123456789012"),
])
def test_string_plus_writes_numbers_as_javascript_does(expr: str, expected: str) -> None:
    assert value_of(expr) == expected


@pytest.mark.parametrize("expr, expected", [
    ("-0 === 0", True), ("1 / -0 < 0", True), ("1 / (0 * -5) < 0", True),
    ("1 / (-4 % 2) < 0", True), ("-5 % 3", -2), ("5 % -3", 2), ("5.5 % 2", 1.5),
    ("1 % 0 !== 1 % 0", True), ("1 / 0", math.inf), ("-1 / 0", -math.inf),
    ("0 / 0 !== 0 / 0", True), ("Math.ceil(-0.5) === 0 && 1 / Math.ceil(-0.5) < 0", True),
    ("Math.min(0, -0) === 0 && 1 / Math.min(0, -0) < 0", True), ("Math.max()", -math.inf),
    ("Math.min(1, NaN, 2) !== Math.min(1, NaN, 2)", True), ("Math.floor(-0.5)", -1),
    ("Math.abs(-3.5)", 3.5), ("Math.trunc(-2.7)", -2), ("7 / 2", 3.5), ("6 / 3", 2),
    ("Infinity % 2 !== Infinity % 2", True), ("2 % Infinity", 2),
])
def test_numbers_keep_javascripts_edges(expr: str, expected: Any) -> None:
    got = value_of(expr)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize("expr", [
    "9007199254740992 + 1", "9007199254740993", "4503599627370496 * 2",
    "4503599627370496 * 4", "9007199254740991 + 2", "-9007199254740991 - 2",
])
def test_integers_round_as_doubles_past_2_to_53(expr: str) -> None:
    body = f"msg.r = ({expr}) + 0.5;\nmsg.s = \"\" + ({expr});\nreturn msg;"
    compared(body, {"payload": 1})


def test_an_integer_past_2_to_53_in_the_message_goes_to_quickjs() -> None:
    msg = {"payload": {"v": 2 ** 53 + 1}}
    assert compared(CHAIN5, msg) == "deopt"


@pytest.mark.parametrize("payload", [None, 5, "text", [1, 2], {"w": 1}])
def test_reading_a_member_of_what_is_no_plain_object_steps_aside(payload: Any) -> None:
    msg = {"_msgid": "m", "payload": payload, "before": 1}
    body = "msg.before = 2;\nmsg.payload.y = msg.payload.v * 2;\nreturn msg;"
    outcome = compared(body, msg)
    assert outcome == ("compiled" if isinstance(payload, dict) else "deopt")
    if payload is None:  # QuickJS then throws, with V8's words
        kind, text = in_quickjs(body, msg)
        assert kind == "error" and "Cannot read properties of null" in text


@pytest.mark.parametrize("expr, expected", [
    ("1 < 2", True), ('"a" < "b"', True), ('"B" < "a"', True), ("null < 1", True),
    ("undefined < 1", False), ("NaN >= NaN", False), ("true > 0", True),
    ('"\\uffff" < "\\ud83d\\ude00"', False),
])
def test_comparisons(expr: str, expected: bool) -> None:
    if "ud83d" in expr:  # a pair written in halves: not compiled (JavaScript joins them)
        assert compile_body(f"msg.r = {expr};") is None
        return
    assert value_of(expr) is expected


def test_strings_compare_by_utf16_code_units() -> None:
    body = "msg.r = msg.payload.a < msg.payload.b;\nreturn msg;"
    for a, b in [("\uffff", "\U0001f600"), ("\U0001f600", "\uffff"), ("é", "e"), ("", "a")]:
        assert compared(body, {"payload": {"a": a, "b": b}}) == "compiled"


@pytest.mark.parametrize("expr, expected", [
    ("null == undefined", True), ("null == 0", False), ("1 == 1", True), ('"1" == "1"', True),
    ("undefined != null", False), ("typeof null", "object"), ("typeof msg.nothing", "undefined"),
    ("typeof msg.payload", "object"), ('typeof ""', "string"), ("typeof NaN", "number"),
    ("0 || \"x\"", "x"), ("1 && 2", 2), ("null ?? 3", 3), ("0 ?? 3", 0), ('"" ? 1 : 2', 2),
    ("!msg.payload", False), ("!!msg.nothing", False),
])
def test_equality_typeof_and_logic(expr: str, expected: Any) -> None:
    assert value_of(expr, {}) == expected


def test_loose_equality_across_kinds_steps_aside() -> None:
    assert compared('msg.r = 1 == "1";\nreturn msg;', {"payload": 1}) == "deopt"


def test_floats_that_are_integers_come_back_as_ints_as_through_json() -> None:
    msg = {"payload": {"v": 2.0, "w": [1.0, {"z": 3.0}], "n": math.nan}, "t": 1e21}
    assert compared(CHAIN5, msg) == "compiled"


@pytest.mark.parametrize("msg", [
    {"payload": {"v": 1}, "when": __import__("datetime").date(2024, 1, 2)},
    {"payload": {"v": 1}, "raw": b"ab"},
    {"payload": {"v": 1}, "pair": (1, 2)},
    {"payload": {"v": 1, "2": "index first"}},
    {"payload": {"v": 1}, 5: "int key"},
    {"payload": {"v": -0.0}},
    {"payload": {"v": 1}, "b": {"type": "Buffer", "data": [1]}},
    {"payload": {"v": 1}, "s": "\u0000flowrt:NaN"},
])
def test_a_message_json_would_change_goes_to_quickjs(msg: dict[str, Any]) -> None:
    assert compared(CHAIN5, msg) == "deopt"


def test_an_object_in_two_places_goes_to_quickjs() -> None:
    shared = {"v": 1}
    assert compared(CHAIN5, {"payload": shared, "other": shared}) == "deopt"


def test_return_null_sends_nothing_and_leaves_the_message_as_it_came() -> None:
    body = "msg.payload.y = 1;\nif (msg.payload.v > 1) return null;\nreturn msg;"
    assert compared(body, {"payload": {"v": 2}}) == "compiled"
    assert compared(body, {"payload": {"v": 0}}) == "compiled"
    compiled = compile_body(body)
    assert compiled is not None
    msg = {"payload": {"v": 2}}
    assert compiled.run(msg) is None and msg == {"payload": {"v": 2}}


def test_writing_an_object_or_undefined_steps_aside() -> None:
    for body in ("msg.a = msg.payload;\nreturn msg;", "msg.a = undefined;\nreturn msg;",
                 "msg.payload.v = -0;\nreturn msg;", "return msg.payload;"):
        assert compared(body, {"payload": {"v": 1}}) == "deopt", body


@pytest.mark.parametrize("body", [
    "msg.payload = msg.payload * 2\nreturn msg",
    "let x = msg.payload;\nif (x > 2) {\n  x = x - 2;\n} else if (x < 0) x = 0\nelse x += 1;\n"
    "msg.payload = x;\nreturn msg;",
    "var t = msg.topic ?? 'none'; // a comment\n/* another */ msg.t2 = t + '!'; return msg;",
    "const a = msg.payload > 1 ? 'big' : 'small';\nmsg.size = a;\nreturn msg;",
    "msg.payload++;\nreturn msg;",
])
def test_bodies_with_and_without_semicolons(body: str) -> None:
    compiled = compile_body(body)
    if "++" in body:
        assert compiled is None
        return
    for payload in (3, -1, 1.5):
        assert compared(body, {"payload": payload, "topic": "t"}) == "compiled"


@pytest.mark.parametrize("body", [
    "return\nmsg;",  # returns undefined
    "msg.a = 1\n;(msg.b = 2)\nreturn msg",
])
def test_newlines_mean_what_they_mean_in_javascript(body: str) -> None:
    compiled = compile_body(body)
    if compiled is None:
        return
    compared(body, {"payload": 1})


def test_the_node_runs_compiled_bodies_in_a_flow_and_the_switch_turns_it_off(
        monkeypatch: pytest.MonkeyPatch) -> None:
    inputs: list[Any] = [{"payload": {"v": v}} for v in (1, 2.5, "3")] + [{"payload": None}]
    flows = []
    for setting in ("1", "0"):
        monkeypatch.setenv("FLOWRT_JS_COMPILE", setting)
        result = run_flow(function_flow(CHAIN5), inputs=copy.deepcopy(inputs), into="f")
        node = result.runtime.nodes["f"]  # type: ignore[union-attr]
        assert (node._calls._compiled is not None) == (setting == "1")  # type: ignore[attr-defined]
        flows.append((result.payloads("f"), [e.message for e in result.errors]))
    assert flows[0] == flows[1]
    assert flows[0][0] == [{"v": 1, "y": 2}, {"v": 2.5, "y": 5}, {"v": "3", "y": 6}]
    assert len(flows[0][1]) == 1 and "Cannot read properties of null" in flows[0][1][0]


def test_a_message_sent_to_two_compiled_bodies_is_changed_apart() -> None:
    """The node changes the message it is given in place: a fan-out gives each branch its own
    (dispatch.py's lent and given rule), so neither sees the other's writes."""
    flow = """\
flowrt: 1
nodes:
  src: {type: function, func: "return msg;", to: [a, b]}
  a: {type: function, func: "msg.payload.w = msg.payload.v + 'a';\\nreturn msg;"}
  b: {type: function, func: "msg.payload.w = msg.payload.v + 'b';\\nreturn msg;"}
"""
    result = run_flow(flow, inputs=[{"payload": {"v": 1}}], into="src")
    assert result.errors == []
    assert result.payloads("a") == [{"v": 1, "w": "1a"}]
    assert result.payloads("b") == [{"v": 1, "w": "1b"}]
    assert result.payloads("src") == [{"v": 1}]
    for name in ("src", "a", "b"):
        assert result.runtime.nodes[name]._calls._compiled is not None  # type: ignore[union-attr,attr-defined]
