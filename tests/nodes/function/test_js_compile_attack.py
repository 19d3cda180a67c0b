"""Attacks on compiled function bodies (js_compile.py), which run in the server process even
under ``--scripts sandboxed``: a body the compiler accepts reaches nothing but its message's own
dicts, lists and scalars (Python's names are message keys, Object.prototype's are refused), text
or messages built to exhaust the server (nesting, length, cycles, growing strings and numbers)
are refused or step aside to QuickJS without an exception escaping, and what a compiled run
makes stays within the node's own limits."""

from __future__ import annotations

import copy
import sys
import tracemalloc
from typing import Any

import pytest
from flowrt_nodes.function import js_compile_ops as ops
from flowrt_nodes.function.js_compile import NOT_COMPILED, compile_body

from flowrt.check.policy import check_policy
from flowrt.load import Project, load_text
from flowrt.registry import default_registry
from flowrt.testing import run_flow
from tests.nodes.function.jsflow import function_flow
from tests.nodes.function.test_js_compiled import compared, in_quickjs

OOPS = "oops: {type: catch, scope: [f]}"
JSON_TYPES = (dict, list, str, int, float, bool, type(None))


def _json_only(value: Any) -> bool:
    if isinstance(value, dict):
        return all(type(k) is str and _json_only(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_json_only(v) for v in value)
    return type(value) in JSON_TYPES


# what a body can reach ----------------------------------------------------------------------

PYTHON_NAMES = ["__class__", "__dict__", "__len__", "__init__", "keys", "get", "items", "pop",
                "__getattribute__", "__globals__", "__builtins__", "mro", "__subclasses__"]


@pytest.mark.parametrize("name", PYTHON_NAMES)
def test_python_names_are_only_the_message_s_own_keys(name: str) -> None:
    """``msg.__class__`` is the key "__class__" of the message (undefined when it has none),
    read, written and tested as QuickJS does: never a Python attribute."""
    for body in (f"msg.r = typeof msg.{name};\nmsg.s = msg.payload.{name} === undefined;\n"
                 "return msg;",
                 f'msg.r = msg["{name}"];\nmsg.payload["{name}"] = 1;\nreturn msg;',
                 f"msg.{name} = msg.{name} + 1;\nreturn msg;"):
        for msg in ({"payload": {}}, {"payload": {name: 2}, name: "own"}):
            compiled = compile_body(body)
            assert compiled is not None, body
            compared(body, msg)
            out = compiled.run(copy.deepcopy(msg))
            assert out is NOT_COMPILED or out is None or _json_only(out), (body, out)


PROTOTYPE_TEXTS = [
    "msg.a = msg.__proto__;\nreturn msg;", "msg.__proto__ = {};\nreturn msg;",
    'msg["__proto__"] = 1;\nreturn msg;', "msg.payload.__proto__.x = 1;\nreturn msg;",
    "msg.a = msg['\\x5f_proto__'];\nreturn msg;", "msg.a = msg['__pro\\u0074o__'];\nreturn msg;",
    "msg.a = msg.constructor;\nreturn msg;", 'msg.a = msg["constructor"];\nreturn msg;',
    "msg.a = msg.payload.valueOf;\nreturn msg;", "msg.toString = 1;\nreturn msg;",
    "msg.a = msg.hasOwnProperty;\nreturn msg;", "msg.__defineGetter__ = 1;\nreturn msg;",
    "msg.a = Math.constructor;\nreturn msg;", "msg.a = Math.round.constructor;\nreturn msg;",
    "msg.a = Math.__proto__;\nreturn msg;", "msg.a = Math;\nreturn msg;",
    "msg.a = (1).constructor;\nreturn msg;", "msg.a = 'x'.constructor;\nreturn msg;",
    "msg.a = Math.sqrt(4);\nreturn msg;", "msg.a = Math.max.apply;\nreturn msg;",
    "let o = msg.payload;\no.__proto__ = msg;\nreturn msg;", "msg = msg.payload;\nreturn msg;",
    "let Math = 1;\nreturn msg;", "msg.a = globalThis;\nreturn msg;",
    "msg.a = msg.payload[msg.k];\nreturn msg;",
]


@pytest.mark.parametrize("body", PROTOTYPE_TEXTS)
def test_object_prototype_and_other_objects_are_out_of_reach(body: str) -> None:
    assert compile_body(body) is None


def test_an_own_proto_key_in_the_message_is_a_plain_key_both_ways() -> None:
    """JSON.parse makes "__proto__" an own key, not the prototype: reads past it find nothing,
    both ways, and a compiled run changes nothing QuickJS would see later."""
    msg = {"payload": {"__proto__": {"polluted": 1}, "v": 1}, "__proto__": {"x": 2}}
    body = ("msg.r = typeof msg.payload.polluted;\nmsg.s = typeof msg.x;\n"
            "msg.payload.v = msg.payload.v + 1;\nreturn msg;")
    assert compared(body, msg) == "compiled"
    assert in_quickjs("msg.r = typeof msg.polluted;\nreturn msg;", {"payload": 1}) == (
        "sent", {"payload": 1, "r": "undefined"})


def test_the_policy_deny_refuses_the_node_whatever_its_body() -> None:
    bodies = ["return msg;", "msg.payload = 1;\nreturn msg;", "return null;", ";",
              "msg.a = Math.round(msg.payload.v * 2) / 2;\nreturn msg;"]
    for body in bodies:
        assert compile_body(body) is not None
        project = Project([load_text(function_flow(body), "flows/f.yaml")])
        problems = check_policy(project, default_registry(), "deny")  # type: ignore[arg-type]
        assert [(p.code, p.node) for p in problems] == [("E060", "f")], body


# text built to exhaust the parser -----------------------------------------------------------

DEEP_TEXTS = {
    "parentheses": "msg.a = " + "(" * 10_000 + "1" + ")" * 10_000 + ";\nreturn msg;",
    "unary minus": "msg.a = " + "- " * 100_000 + "1;\nreturn msg;",
    "not": "msg.a = " + "!" * 100_000 + "1;\nreturn msg;",
    "typeof": "msg.a = " + "typeof " * 50_000 + "1;\nreturn msg;",
    "ifs": "if (msg.a) " * 10_000 + "msg.b = 1;\nreturn msg;",
    "blocks": "if (msg.a) {" * 10_000 + "msg.b = 1;" + "}" * 10_000 + "\nreturn msg;",
    "else ifs": "if (msg.a) msg.b = 1;\n" + "else if (msg.a) msg.b = 1;\n" * 10_000
                + "return msg;",
    "conditionals": "msg.a = " + "msg.b ? 1 : " * 10_000 + "2;\nreturn msg;",
    "sums": "msg.a = 1" + " + 1" * 100_000 + ";\nreturn msg;",
    "members": "msg.a = msg" + ".b" * 100_000 + ";\nreturn msg;",
    "math": "msg.a = " + "Math.abs(" * 10_000 + "1" + ")" * 10_000 + ";\nreturn msg;",
    "unclosed": "msg.a = " + "(" * 100_000,
}


@pytest.mark.parametrize("shape", DEEP_TEXTS)
def test_deeply_nested_text_is_refused_or_runs_without_an_exception(shape: str) -> None:
    compiled = compile_body(DEEP_TEXTS[shape])  # (no RecursionError may escape)
    if compiled is not None:
        msg = {"payload": 1, "a": 0, "b": 0}
        out = compiled.run(msg)
        assert out is NOT_COMPILED or _json_only(out)


def test_nested_text_compiled_at_a_shallow_stack_steps_aside_at_a_deep_one() -> None:
    """A body nested as deep as the parser allows, run with few frames left: its writes are
    undone and QuickJS takes the message, no RecursionError reaching the caller."""
    depth = 0
    while compile_body("msg.b = " + "- " * (depth + 100) + "1;\nreturn msg;") is not None:
        depth += 100
    body = "msg.a = 1;\nmsg.b = " + "- " * depth + "1;\nreturn msg;"
    compiled = compile_body(body)
    assert compiled is not None and depth > 100
    assert compiled.run({"payload": 1}) == {"payload": 1, "a": 1, "b": 1 if depth % 2 == 0 else -1}

    def deep(frames: int, msg: dict[str, Any]) -> Any:
        return deep(frames - 1, msg) if frames else compiled.run(msg)

    msg = {"payload": 1}
    frames, here = 0, sys._getframe()
    while here is not None:
        frames, here = frames + 1, here.f_back
    assert deep(sys.getrecursionlimit() - frames - depth // 2, msg) is NOT_COMPILED
    assert msg == {"payload": 1}


def test_a_long_flat_body_compiles_and_runs_as_quickjs_does() -> None:
    body = "let n = msg.payload;\n" + "n = n + 1;\nmsg.last = n;\n" * 5_000 + "return msg;"
    assert compared(body, {"payload": 1}) == "compiled"
    compiled = compile_body(body)
    assert compiled is not None
    assert compiled.run({"payload": 1})["last"] == 5_001


# messages built to exhaust the walk ---------------------------------------------------------


def _nested(kind: type, depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value} if kind is dict else [value]
    return value


@pytest.mark.parametrize("kind", [dict, list])
def test_a_deeply_nested_message_goes_to_quickjs_as_it_came(kind: type) -> None:
    compiled = compile_body("msg.payload.x = 1;\nmsg.b = 2;\nreturn msg;")
    assert compiled is not None
    inner = _nested(kind, 100_000)
    msg = {"payload": {"deep": inner}}
    assert compiled.run(msg) is NOT_COMPILED
    assert list(msg) == ["payload"] and list(msg["payload"]) == ["deep"]
    assert msg["payload"]["deep"] is inner


def _cyclic() -> list[dict[str, Any]]:
    looped: dict[str, Any] = {"payload": {"v": 1.0}}
    looped["self"] = looped
    listed: dict[str, Any] = {"payload": {"v": 1.0, "l": []}}
    listed["payload"]["l"].append(listed["payload"]["l"])
    shared = {"k": 2.0}
    twice = {"payload": {"v": 1.0, "a": shared, "b": [shared]}}
    return [looped, listed, twice]


@pytest.mark.parametrize("index", range(3))
def test_a_message_that_is_a_cycle_or_shares_an_object_goes_to_quickjs_untouched(
        index: int) -> None:
    compiled = compile_body("msg.payload.v = msg.payload.v + 1;\nreturn msg;")
    assert compiled is not None
    msg = _cyclic()[index]
    before = msg["payload"]["v"]
    assert compiled.run(msg) is NOT_COMPILED
    assert type(msg["payload"]["v"]) is float and msg["payload"]["v"] == before  # (not made 1)


# values built to exhaust memory or time -----------------------------------------------------


def test_numbers_grown_by_repeated_multiplication_stay_doubles() -> None:
    body = "let x = msg.payload;\n" + "x = x * x;\n" * 64 + "msg.x = x;\nmsg.y = 1e308 * 10;\n" \
           "msg.z = -msg.x;\nreturn msg;"
    assert compared(body, {"payload": 3}) == "compiled"
    compiled = compile_body(body)
    assert compiled is not None
    out = compiled.run({"payload": 3})
    assert out["x"] == out["y"] == float("inf") and out["z"] == float("-inf")


def test_a_string_doubled_past_the_cap_steps_aside() -> None:
    body = "let s = msg.payload;\n" + "s = s + s;\n" * 64 + "msg.n = s === s;\nreturn msg;"
    compiled = compile_body(body)
    assert compiled is not None
    msg = {"payload": "ab"}
    assert compiled.run(msg) is NOT_COMPILED and msg == {"payload": "ab"}


MEGABYTES = 16
WIDE = ("let s = 'e';\n" + "s = s + s;\n" * 19  # 2**19 characters, within MAX_TEXT
        + "".join(f"let t{i} = s + s;\n" for i in range(40))  # 40 strings of 2**20
        + "msg.same = t39 === t0;\nreturn msg;")


def test_what_a_compiled_run_holds_stays_within_the_node_s_memory_limit() -> None:
    compiled = compile_body(WIDE, budget=MEGABYTES * 16 * 1024)
    assert compiled is not None
    tracemalloc.start()
    try:
        out = compiled.run({"payload": 1})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out is NOT_COMPILED or peak <= MEGABYTES * 2 ** 20, f"peak {peak / 2 ** 20:.0f} MiB"


LONG = ("let s = '\\u4e00';\n" + "s = s + s;\n" * 19 + "let t = s;\n" + "t = s + s;\n" * 1_000
        + "msg.same = t === s;\nreturn msg;")


def test_the_characters_a_compiled_run_makes_in_all_are_bounded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    made = [0]
    concat = ops._concat

    def counted(a: str, b: str) -> str:
        made[0] += len(a) + len(b)
        if made[0] > 64 * ops.MAX_TEXT:  # (enough to show it: the run is stopped here)
            raise ops.DEOPT
        return concat(a, b)

    monkeypatch.setattr(ops, "_concat", counted)
    compiled = compile_body(LONG, budget=64 * 16 * 1024)
    assert compiled is not None
    compiled.run({"payload": 1})  # (the count's stop is taken for a step aside: NOT_COMPILED)
    assert made[0] <= 64 * 16 * 1024, f"{made[0]:,} characters made"


COMPARED = ("let s = '\\u00e9';\n" + "s = s + s;\n" * 20 + "let b = 0;\n"
            + "b = s < s;\n" * 1_000 + "msg.b = b;\nreturn msg;")


def test_the_characters_a_compiled_run_compares_in_all_are_bounded(
        monkeypatch: pytest.MonkeyPatch) -> None:
    compared_chars = [0]
    ordered = ops._ordered

    def counted(a: Any, b: Any) -> Any:
        if type(a) is str and type(b) is str:
            compared_chars[0] += len(a) + len(b)
            if compared_chars[0] > 64 * ops.MAX_TEXT:  # (enough to show it: the run stops)
                raise ops.DEOPT
        return ordered(a, b)

    monkeypatch.setattr(ops, "_ordered", counted)
    compiled = compile_body(COMPARED, budget=64 * 16 * 1024)
    assert compiled is not None
    compiled.run({"payload": 1})
    assert compared_chars[0] <= 64 * 16 * 1024, f"{compared_chars[0]:,} characters compared"


def test_the_long_body_gives_what_quickjs_gives_when_its_run_is_cut_short() -> None:
    """What the three bodies above send through QuickJS (so a cap that steps aside to it keeps
    the node's output)."""
    assert in_quickjs(WIDE, {"payload": 1}) == ("sent", {"payload": 1, "same": True})
    assert in_quickjs(LONG, {"payload": 1}) == ("sent", {"payload": 1, "same": False})
    assert in_quickjs(COMPARED, {"payload": 1}) == ("sent", {"payload": 1, "b": False})


# what the tokenizer reads -------------------------------------------------------------------

LEXICAL = [
    "msg.a = '\\u2028\\u2029\\x41\\0\\b\\v\\f\\t\\r\\n';\nreturn msg;",
    "msg.a = '\\u00e9' + \"\\u4e00\" + 'é';\nreturn msg;",
    "msg.a = 1 /* two\nlines */ msg.b = 2\nreturn msg",
    "msg.a = 1 /* one line */ + 2\nreturn msg",
    "return /*\n*/ msg", "return // a comment\nmsg", "return\nmsg", "return /* c */ msg",
    "msg.a = 1\r\nmsg.b = 2\rreturn msg", "msg.a = 1\v\fmsg.b = 2;\nreturn msg;",
    "msg.a = 1\n-1\nreturn msg", "msg.a = 2\n/ 2 / 1\nreturn msg",
    "msg.a = msg.payload\n.v\nreturn msg", "msg.a = msg.payload\n? 1\n: 2\nreturn msg",
    "if (msg.payload.v) msg.a = 1\nelse msg.a = 2\nreturn msg",
    "let x = 1\nlet y = x\nmsg.a = y\nreturn msg",
    "let\nz = 1\nmsg.a = z\nreturn msg",
    "msg.if = 1; msg.class = 2; msg.typeof = 3; msg.null = msg.if\nreturn msg",
    "msg.a = 1.;\nmsg.b = .5e1;\nmsg.c = 5.e-1;\nmsg.d = 1e400;\nmsg.e = 1e-400;\nreturn msg;",
    "msg.a = 9007199254740993;\nmsg.b = 123456789012345678901234567890;\nreturn msg;",
    "msg.a = '\\\\' + \"\\'\" + '\\\"';\nreturn msg;",
]


@pytest.mark.parametrize("body", LEXICAL)
def test_comments_line_ends_escapes_and_asi_read_as_quickjs_reads_them(body: str) -> None:
    if compile_body(body) is not None:
        compared(body, {"payload": {"v": 1}})


REFUSED_LEXICAL = [
    "msg.a = 1;\u2028return msg;", "msg.a = '\u2028';\nreturn msg;",
    "\ufeffmsg.a = 1;\nreturn msg;", "msg.a = 1;\u00a0\nreturn msg;",
    "msg.\\u0061 = 1;\nreturn msg;", "msg.a = '\\ud83d\\ude00';\nreturn msg;",
    "msg.a = '\\u{1F600}';\nreturn msg;", "msg.a = '\\a';\nreturn msg;",
    "msg.a = '\\08';\nreturn msg;", "msg.a = 08;\nreturn msg;", "msg.a = 0x10;\nreturn msg;",
    "msg.a = 1e;\nreturn msg;", "msg.a = 1..x;\nreturn msg;", "msg.a = 1 msg.b = 2",
    "msg.a = 1 /* c */ msg.b = 2", "msg.a = 1\n--> 2\nreturn msg", "#!x\nreturn msg",
    "msg.a = 1\n(msg.b)\nreturn msg", "msg.a = 'x'\n'y'\nreturn msg", "return msg /*",
]


@pytest.mark.parametrize("body", REFUSED_LEXICAL)
def test_text_a_simpler_reader_would_misread_is_refused(body: str) -> None:
    assert compile_body(body) is None


# beside a worker process --------------------------------------------------------------------


def test_compiled_messages_never_overtake_those_in_the_worker(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """JavaScript in a worker process (as under --scripts sandboxed), messages that step aside
    (a string, an array, null) among those that run compiled, some failing: the same messages
    sent, in the same order, and the same errors, compiling on and off."""
    monkeypatch.setenv("FLOWRT_JS_ISOLATION", "worker")
    body = "msg.r = msg.payload.v * 2;\nif (msg.payload.bad) msg.r = msg.nothing.x;\nreturn msg;"
    values: list[Any] = ["3", 4, 2.5, [1], None, "x", 1e300]
    inputs = [{"payload": {"v": values[i % 7], "i": i, "bad": i % 11 == 0}} for i in range(300)]
    seen = []
    for setting in ("1", "0"):
        monkeypatch.setenv("FLOWRT_JS_COMPILE", setting)
        result = run_flow(function_flow(body, timeout=5, extra=OOPS), inputs=inputs, into="f",
                          timeout=120)
        calls = result.runtime.nodes["f"]._calls  # type: ignore[union-attr,attr-defined]
        assert (calls._compiled is not None) == (setting == "1")
        assert type(calls.js).__name__ == "JsProcess"
        seen.append(([(m["payload"]["i"], m.get("r")) for m in result.sent("f", 0)],
                     [(c["payload"]["i"], c["error"]["message"]) for c in result.sent("oops")]))
    assert seen[0] == seen[1]
    assert [i for i, _ in seen[0][0]] == sorted(i for i, _ in seen[0][0])
    assert len(seen[0][0]) == 300 - 28 and len(seen[0][1]) == 28


# digits JavaScript does not know ------------------------------------------------------------

OTHER_DIGITS = ["msg.a = \u0663;\nreturn msg;", "msg.a = 1\u0663;\nreturn msg;",
                "msg.a = \uff11 + 1;\nreturn msg;", "msg.a = 1e\u0663;\nreturn msg;",
                "msg.a = 0.\u0665;\nreturn msg;"]


@pytest.mark.parametrize("body", OTHER_DIGITS)
def test_digits_outside_ascii_are_refused(body: str) -> None:
    from flowrt_nodes.function.js_engine import syntax_error

    assert syntax_error(body, "body") is not None  # (JavaScript refuses it)
    assert compile_body(body) is None


# text built to make the tokenizer slow ------------------------------------------------------


def test_an_unclosed_comment_opening_is_scanned_for_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from flowrt_nodes.function import js_compile_parse
    from flowrt_nodes.function.js_engine import syntax_error

    class Counting:
        """The tokenizer's pattern, counting tries at a '/*' that gave no comment (each of
        which looked at the whole rest of the text)."""

        def __init__(self, pattern: Any) -> None:
            self.pattern, self.unclosed = pattern, 0

        def match(self, text: str, at: int) -> Any:
            found = self.pattern.match(text, at)
            if text.startswith("/*", at) and (found is None or found.lastgroup != "comment"):
                self.unclosed += 1
            return found

    body = "let r = [" + "/a/*1, " * 200 + "0];\nreturn msg;"
    assert syntax_error(body, "body") is None  # (JavaScript takes it)
    counting = Counting(js_compile_parse._TOKEN)
    monkeypatch.setattr(js_compile_parse, "_TOKEN", counting)
    assert compile_body(body) is None
    assert counting.unclosed <= 1, f"{counting.unclosed} scans to the end of the text"


# objects the message shares with context ----------------------------------------------------

SHARED_WITH_CONTEXT = """
flowrt: 1
nodes:
  store:
    type: change
    rules:
      - set: {type: flow, value: data}
        to: {type: msg, value: payload}
    to: load
  load:
    type: change
    rules:
      - set: payload
        to: {type: flow, value: data}
    to: f
  f:
    type: function
    func: |-
      msg.payload.y = 1;
      return msg;
    to: g
  g:
    type: function
    func: |-
      msg.seen = flow.get("data");
      return msg;
"""


def test_a_compiled_write_reaches_context_as_node_red_s_does_and_quickjs_s_copy_does_not(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """An object the message shares with flow context (a change node's set from context shares
    it, as Node-RED's does) is changed in place by a compiled write, as Node-RED's function
    changes it (one heap); through QuickJS the message is a JSON copy. The one difference of
    the two paths, documented in the node's docs."""
    seen = []
    for setting in ("1", "0"):
        monkeypatch.setenv("FLOWRT_JS_COMPILE", setting)
        result = run_flow(SHARED_WITH_CONTEXT, inputs=[{"payload": {"v": 1}}], into="store",
                          timeout=30)
        assert result.errors == []
        [sent] = result.sent("g", 0)
        assert sent["payload"] == {"v": 1, "y": 1}
        seen.append(sent["seen"])
    assert seen == [{"v": 1, "y": 1}, {"v": 1}]  # compiled (Node-RED's), then QuickJS
