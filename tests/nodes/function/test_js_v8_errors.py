"""The wording of common errors as catch nodes get it (msg.error.message), differential against
V8 (Node.js): what QuickJS words its own way is worded as V8 does (js_wording.js)."""

from __future__ import annotations

import pytest

from tests.nodes.function.v8_oracle import caught_in_flowrt, thrown_in_v8

BODIES = [
    "var o; return o.x;",
    "var o = null;\nreturn o.x;",
    "return msg.a.b;",
    "msg.topic.length = 1;",
    "var o; o.x = 1;",
    "var o = null; o.x = 1;",
    "return foo;",
    "var a = 1;\nreturn a();",
    "return msg.payload.trim();",
    "var o = {a: {}};\nreturn o.a.f(1);",
    "var o = {a: {f() { return {}; }}};\nreturn o.a.f(1).g();",
    "msg.payload = msg.get ('x');",
    "return msg?.payload?.foo();",
    "const s = 'x';\nlet r = 1 + s.foo();",
    "var a = 1;\nreturn new a();",
    "return JSON.parse('{x');",
    "return JSON.parse('');",
    "return new Function('return 1 +')();",
    "return new Function('var x = ;')();",
    "return [].reduce((a, b) => a);",
    "return new Array(-1);",
    "let o; return o[0];",
    "var x = {}; x.y.z.w = 1;",
    "throw new Error('plain');",
    "throw new RangeError('custom not a function');",
]


@pytest.mark.parametrize("body", BODIES)
def test_errors_are_worded_as_v8_words_them(body: str) -> None:
    assert caught_in_flowrt(body) == thrown_in_v8(body)
