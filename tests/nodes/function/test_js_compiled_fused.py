"""The fused closures of a compiled function body (js_compile_fuse.py: a member path read, such
a read with a constant, a write to a member path, the last write left out of the journal)
give what QuickJS gives and what the closures a node of the syntax tree give, edge by edge;
and the message walk (js_compile_message.plain) takes and refuses what it did."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from flowrt_nodes.function import js_compile_ops as ops
from flowrt_nodes.function.js_compile import NOT_COMPILED, compile_body
from flowrt_nodes.function.js_compile_message import plain

from tests.nodes.function.test_js_compiled import compared, in_quickjs, shown

EDGES: list[Any] = [
    0.25, 3, -0.0, 0.0, 0, math.nan, math.inf, -math.inf, 1e300, -7, 2 ** 53, 2 ** 53 + 1,
    -(2 ** 53) - 1, 2 ** 52 + 0.5, 4503599627370497.0, 1e21, 0.1, 2.0, "3", "", "x", "\0NaN",
    True, False, None, [1, 2], {"w": 1}, {"type": "Buffer", "data": [1]},
]
"""Values for msg.payload.v: numbers at JavaScript's edges, strings, and what is no number."""

SHAPES = [
    "msg.payload.y = msg.payload.v * 2;\nreturn msg;",
    "msg.payload.y = msg.payload.v * 2.5;\nreturn msg;",
    "msg.payload.y = msg.payload.v * -1;\nreturn msg;",
    "msg.payload.y = msg.payload.v * 0;\nreturn msg;",
    "msg.payload.y = msg.payload.v + 1;\nreturn msg;",
    "msg.payload.y = msg.payload.v + 0.5;\nreturn msg;",
    "msg.payload.y = msg.payload.v + \"s\";\nreturn msg;",
    "msg.payload.y = msg.payload.v - 1;\nreturn msg;",
    "msg.payload.y = msg.payload.v / 3;\nreturn msg;",
    "msg.payload.y = msg.payload.v / 0;\nreturn msg;",
    "msg.payload.y = msg.payload.v / -0;\nreturn msg;",
    "msg.payload.y = msg.payload.v % 2;\nreturn msg;",
    "msg.payload.y = msg.payload.v * true;\nreturn msg;",
    "msg.payload.y = msg.payload.v < 1;\nreturn msg;",
    "msg.payload.y = msg.payload.v === 3;\nreturn msg;",
    "msg.payload.y = msg.payload.v;\nreturn msg;",
    "msg.payload.y = msg.payload.missing * 2;\nreturn msg;",
    "msg.payload.v = msg.payload.v * 2;\nreturn msg;",
    "msg.y = msg.payload.v * 2;\nreturn msg;",
    "msg.payload.y = msg.payload.v * 2;\nmsg.z = 1;\nreturn msg;",
    "msg.z = 1;\nmsg.payload.y = msg.payload.v * 2;\nreturn msg;",
    "msg.payload.y = msg.payload.v * 2;\nmsg.payload.z = msg.payload.y - 1;\nreturn msg;",
    "msg.payload.y = msg.payload.v * 2;",
    "msg.payload.y = msg.payload.v * 2;\nreturn null;",
    "msg.payload.y = msg.payload.v * 2;\nreturn msg.payload;",
    "msg.payload.y = msg.payload.v;\nmsg.payload.y += 2;\nreturn msg;",
    "msg.payload.q.y = msg.payload.v * 2;\nreturn msg;",
    "msg.a.b.c = msg.payload.v * 2;\nreturn msg;",
    "const p = msg.payload;\np.y = p.v * 2;\nreturn msg;",
    "if (msg.payload.v > 1) { msg.payload.y = msg.payload.v * 2; }\nreturn msg;",
    "if (msg.payload.v > 1) return null;\nmsg.payload.y = msg.payload.v * 2;\nreturn msg;",
    "msg.payload.y = msg.payload.v.w * 2;\nreturn msg;",
    "msg.payload.y = msg.payload.v.w.u * 2;\nreturn msg;",
    "return msg;",
]


@pytest.mark.parametrize("body", SHAPES)
@pytest.mark.parametrize("v", EDGES, ids=repr)
def test_fused_shapes_give_what_quickjs_gives(body: str, v: Any) -> None:
    msg = {"_msgid": "a", "payload": {"v": v, "i": 1, "x": 1}, "a": {"b": {}}}
    outcome = compared(body, msg)  # (asserts the two ways agree, or that nothing is left)
    if outcome == "deopt":  # QuickJS then answers as it does for any message
        assert in_quickjs(body, copy.deepcopy(msg))[0] in ("sent", "none", "other", "error")


@pytest.mark.parametrize("payload", [None, 5, "text", [1, 2], True, 2 ** 60, {"v": 1.5}],
                         ids=repr)
@pytest.mark.parametrize("body", SHAPES[:4] + SHAPES[17:20] + SHAPES[31:33])
def test_fused_shapes_on_what_is_no_plain_payload(body: str, payload: Any) -> None:
    msg = {"_msgid": "a", "payload": payload, "before": 1}
    outcome = compared(body, msg)
    if not isinstance(payload, dict) and "msg.payload." in body:
        assert outcome == "deopt"


@pytest.mark.parametrize("v", [0.25, 3, -0.0, math.nan, 1e300, "3", None, 2 ** 53], ids=repr)
@pytest.mark.parametrize("op", ["*", "+", "-", "/", "%", "<", "==="])
@pytest.mark.parametrize("constant", ["2", "0", "0.5", "-3", "1e308", "9007199254740993"])
def test_a_path_and_a_constant_give_what_the_unfused_closures_give(
        v: Any, op: str, constant: str) -> None:
    fused = compile_body(f"msg.r = msg.payload.v {op} {constant};\nreturn msg;")
    plain_tree = compile_body(f"msg.r = (msg.payload).v {op} ({constant});\nreturn msg;")
    assert fused is not None and plain_tree is not None
    results = []
    for body in (fused, plain_tree):
        msg = {"payload": {"v": v}}
        out = body.run(msg)
        results.append("deopt" if out is NOT_COMPILED else shown(msg))
    assert results[0] == results[1]


def test_a_write_that_steps_aside_after_the_last_write_leaves_nothing_behind() -> None:
    body = compile_body("msg.a = 1;\nmsg.payload.y = msg.payload.v * 2;\nreturn msg;")
    assert body is not None
    msg = {"a": 0, "payload": {"v": "text"}}
    assert body.run(msg) is NOT_COMPILED
    assert shown(msg) == shown({"a": 0, "payload": {"v": "text"}})
    msg = {"a": 0, "payload": {"v": 1.5, "n": 2.0}}  # 2.0 made 2 by the walk, then undone
    assert body.run({"payload": 5}) is NOT_COMPILED
    assert body.run(msg) is msg and shown(msg) == shown({"a": 1, "payload": {"v": 1.5, "n": 2,
                                                                           "y": 3}})
    body = compile_body("msg.a = 1;\nmsg.payload.y = msg.payload.v * 0;\nreturn msg;")
    assert body is not None
    msg = {"a": 0, "payload": {"v": -1.5, "n": 2.0}}  # y would be -0: all undone, 2.0 too
    assert body.run(msg) is NOT_COMPILED
    assert shown(msg) == shown({"a": 0, "payload": {"v": -1.5, "n": 2.0}})


@pytest.mark.parametrize("first", ["msg.payload.y = msg.payload.v * 2;",
                                   "msg.y = msg.payload.v + 1;", "msg.payload.y = msg.payload.v;",
                                   "msg.payload.y += 2;"])
def test_a_fused_write_is_undone_when_a_later_step_steps_aside(first: str) -> None:
    body = compile_body(first + "\nmsg.payload.z = msg.payload.w * 2;\nreturn msg;")
    assert body is not None
    msg = {"payload": {"v": 1.5, "w": "x", "y": 1}}
    assert body.run(msg) is NOT_COMPILED
    assert shown(msg) == shown({"payload": {"v": 1.5, "w": "x", "y": 1}})


def test_a_body_without_string_operations_leaves_the_text_budget_as_it_was() -> None:
    ops.LEFT[0] = 12345
    body = compile_body("msg.payload.y = msg.payload.v * 2;\nreturn msg;")
    assert body is not None and body.run({"payload": {"v": 1.5}}) is not NOT_COMPILED
    assert ops.LEFT[0] == 12345
    body = compile_body('msg.payload.y = msg.payload.v + "";\nreturn msg;', budget=1 << 20)
    assert body is not None and body.run({"payload": {"v": 1.5}}) is not NOT_COMPILED
    assert ops.LEFT[0] < 1 << 20  # set for the run, and spent


def test_a_string_budget_still_stops_a_body_that_compares_too_much() -> None:
    text = "x" * 100_000
    body = compile_body("msg.r = msg.payload.a < msg.payload.b;\nreturn msg;", budget=150_000)
    assert body is not None
    assert body.run({"payload": {"a": text, "b": text}}) is NOT_COMPILED


class _Key(str):
    pass


@pytest.mark.parametrize("msg, taken", [
    ({"payload": {"v": 1.5, "s": "t", "n": None, "b": True, "l": [1, 2.0]}}, True),
    ({"payload": {"v": 2 ** 53}}, True),
    ({"payload": {"v": 2 ** 53 + 1}}, False),
    ({"payload": {"v": -(2 ** 53) - 1}}, False),
    ({"payload": {"v": -0.0}}, False),
    ({"payload": {"v": 1e22}}, True),
    ({"payload": {"v": 2.0 ** 60}}, False),
    ({"payload": "\0NaN"}, False),
    ({"payload": ""}, True),
    ({"payload": "\x01"}, True),
    ({"payload": {"type": "Buffer", "data": [1]}}, False),
    ({"payload": {"type": "Buffer", "data": [1], "more": 1}}, True),
    ({"type": "Buffer", "data": 1}, False),
    ({"payload": {"1a": 1}}, False),
    ({"payload": {1: 1}}, False),
    ({_Key("payload"): 1}, False),
    ({"payload": {_Key("v"): 1}}, False),
    ({"payload": (1, 2)}, False),
    ({"payload": b"x"}, False),
    ({"payload": 1.5, "p": 3.0}, True),
])
def test_the_walk_takes_what_json_parse_would_make(msg: dict[str, Any], taken: bool) -> None:
    journal: list[Any] = []
    before = shown(msg)
    left = plain(msg, journal, 1 << 20)
    assert (left >= 0) == taken
    for target, key, old in journal:
        target[key] = old
    assert shown(msg) == before


def test_the_walk_refuses_an_object_in_two_places_or_in_itself() -> None:
    shared: dict[str, Any] = {"a": 1}
    assert plain({"p": shared, "q": shared}, [], 1 << 20) < 0
    assert plain({"p": {"q": shared}, "r": [shared]}, [], 1 << 20) < 0
    looped: dict[str, Any] = {}
    looped["self"] = looped
    assert plain(looped, [], 1 << 20) < 0
    assert plain({"p": looped}, [], 1 << 20) < 0
    inner: dict[str, Any] = {}
    outer = {"l": [inner], "m": inner}
    assert plain(outer, [], 1 << 20) < 0
    listed: dict[str, Any] = {"p": 1}
    listed["l"] = [listed]
    assert plain(listed, [], 1 << 20) < 0
    assert plain({"p": {"a": 1}, "q": {"a": 1}, "l": [[], {}]}, [], 1 << 20) >= 0
    deep: dict[str, Any] = {}
    for _ in range(70):
        deep = {"d": deep}
    assert plain(deep, [], 1 << 20) < 0


def test_the_walk_counts_items_and_characters_against_the_budget() -> None:
    msg = {"payload": {"s": "x" * 100, "n": 1}}
    assert plain(msg, [], 1000) == 1000 - 1 - 2 - 100
    assert plain(msg, [], 102) < 0
