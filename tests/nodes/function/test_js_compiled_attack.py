"""Compiling a function body to Python gives its author no way around the node's limits and
policy: text outside the subset (a loop, `this`, a call, a regular expression that a looser
reader would take for a comment, a line end JavaScript sees and a simpler reader not) is not
compiled and runs in QuickJS, under its timeout and memory limit as before; the policy refuses
the node whatever its body; On Start code, which could change what the body sees, turns
compiling off for the node."""

from __future__ import annotations

import pytest
from flowrt_nodes.function.js_compile import NOT_COMPILED, compile_body

from flowrt.check.policy import check_policy
from flowrt.load import Project, load_text
from flowrt.registry import default_registry
from flowrt.testing import run_flow
from tests.nodes.function.jsflow import function_flow

OOPS = "oops: {type: catch, scope: [f]}"

OUTSIDE = [
    "while (true) {}\nreturn msg;",
    "for (;;) {}",
    "msg.payload = this.constructor.constructor('return 1')();\nreturn msg;",
    "msg.payload = msg.payload.constructor;\nreturn msg;",
    "msg.__proto__.polluted = 1;\nreturn msg;",
    "msg.payload.toString = 1;\nreturn msg;",
    "msg.x = 1 // \u2028 while (true) {}\nreturn msg;",
    "msg.x = /[/*]/; while (true) {} /*/;\nreturn msg;",
    "msg.x = 1;\nmsg.y = 2 /* a comment */ / 1; while(true){} //\nreturn msg;".replace(
        "/ 1;", "/ /x/;"),
    "msg.x = 1\n++msg.y\nreturn msg",
    "msg.x = 1 <!-- while (true) {}\nreturn msg;",
    "msg.x = `${msg.payload}`;\nreturn msg;",
    "msg.x = '\\101';\nreturn msg;",
    "msg.x = 010;\nreturn msg;",
    "msg.x = 1_000;\nreturn msg;",
    "msg.x = 10n;\nreturn msg;",
    "node.send(msg);",
    "context.set('a', 1);\nreturn msg;",
    "msg.x = flow.get('a');\nreturn msg;",
    "msg.x = env.get('HOME');\nreturn msg;",
    "msg.x = global.get('a');\nreturn msg;",
    "msg.x = Math.random();\nreturn msg;",
    "msg.x = x;\nreturn msg;",
    "x = 1;\nreturn msg;",
    "const x = 1;\nx = 2;\nreturn msg;",
    "let x = 1;\nlet x = 2;\nreturn msg;",
    "if (msg.a) { var v = 1; }\nreturn msg;",
    "if (msg.a) { let v = 1; }\nmsg.v = v;\nreturn msg;",
    "let undefined = 1;\nreturn msg;",
    "msg._msgid = 'mine';\nreturn msg;",
    "msg.payload['0'] = 1;\nreturn msg;",
    "msg.a = msg.b = 1;\nreturn msg;",
    "'use strict';\nmsg.a = 1;\nreturn msg;",
    "label: msg.a = 1;\nreturn msg;",
    "msg.a = (1, 2);\nreturn msg;",
    "msg.a = 1 ?? 2 || 3;\nreturn msg;",
    "msg.a = 2 ** 3;\nreturn msg;",
    "msg.a = delete msg.b;\nreturn msg;",
    "msg.a = msg?.b;\nreturn msg;",
    "msg.a = 1\n(msg.b)\nreturn msg;",
    "msg.a = 1\n[msg.b]\nreturn msg;",
    "msg.a = 'x\\\ny';\nreturn msg;",
    "msg.a = 'x\\u{41}';\nreturn msg;",
    "return [msg, null];",
    "return {payload: 1};",
    "\u00a0msg.a = 1;\nreturn msg;",
    "msg.caf\u00e9 = 1;\nreturn msg;",
    "",
]


@pytest.mark.parametrize("body", OUTSIDE)
def test_text_outside_the_subset_is_not_compiled(body: str) -> None:
    assert compile_body(body) is None


def test_an_endless_loop_is_not_compiled_and_the_timeout_still_stops_it() -> None:
    func = "if (msg.payload === 'loop') {\n  while (true) {}\n}\nmsg.payload = 'ran';\nreturn msg;"
    flow = function_flow(func, timeout=0.2, extra=OOPS)
    result = run_flow(flow, inputs=[{"payload": "loop"}, {"payload": "next"}], into="f",
                      timeout=60)
    assert result.payloads("f") == ["ran"]
    [caught] = result.sent("oops")
    assert caught["error"]["message"] == "function ran longer than its timeout of 0.2 s"


def test_a_string_too_long_for_the_compiled_body_goes_to_quickjs_as_it_is(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Strings a compiled body makes are capped (QuickJS's memory limit then applies): past
    the cap the message runs in QuickJS, and the flow gives what it gives without compiling."""
    func = "let s = msg.payload;\n" + "s = s + s;\n" * 22 + "msg.size = s === s;\nreturn msg;"
    compiled = compile_body(func)
    assert compiled is not None
    assert compiled.run({"payload": "x"}) is NOT_COMPILED
    assert compiled.run({"payload": 5}) == {"payload": 5, "size": True}
    outcomes = []
    for setting in ("1", "0"):
        monkeypatch.setenv("FLOWRT_JS_COMPILE", setting)
        flow = function_flow(func, memory_limit=8, extra=OOPS)
        result = run_flow(flow, inputs=[{"payload": "x"}, {"payload": 5}], into="f", timeout=60)
        outcomes.append(([m.get("size") for m in result.sent("f", 0)],
                         [c["error"]["message"] for c in result.sent("oops")]))
    assert outcomes[0] == outcomes[1]


def test_on_start_code_that_changes_math_turns_compiling_off() -> None:
    flow = function_flow("msg.payload = Math.round(msg.payload);\nreturn msg;",
                         initialize="Math.round = function () { return 42; };")
    result = run_flow(flow, inputs=[{"payload": 1.5}], into="f")
    assert result.payloads("f") == [42]
    node = result.runtime.nodes["f"]  # type: ignore[union-attr]
    assert node._calls._compiled is None  # type: ignore[attr-defined]


def test_more_outputs_than_one_turn_compiling_off() -> None:
    result = run_flow(function_flow("return msg;", outputs=2), inputs=[{"payload": 1}], into="f")
    assert result.payloads("f") == [1]
    assert result.runtime.nodes["f"]._calls._compiled is None  # type: ignore[union-attr,attr-defined]


@pytest.mark.parametrize("policy", ["deny"])
def test_the_policy_refuses_a_node_whose_body_would_compile(policy: str) -> None:
    body = "msg.payload.y = msg.payload.v * 2;\nreturn msg;"
    assert compile_body(body) is not None
    project = Project([load_text(function_flow(body), "flows/f.yaml")])
    problems = check_policy(project, default_registry(), policy)  # type: ignore[arg-type]
    assert [(p.code, p.node) for p in problems] == [("E060", "f")]
    timed = Project([load_text(function_flow(body, timeout=5), "flows/f.yaml")])
    assert check_policy(timed, default_registry(), "sandboxed") == []
