"""The function node's limits: code that runs too long or allocates too much fails its message,
and the flow goes on."""

from __future__ import annotations

import pytest

from flowrt.testing import run_flow
from tests.nodes.function.jsflow import function_flow

OOPS = "oops: {type: catch, scope: [f]}"


def test_an_endless_loop_is_stopped_by_the_timeout_and_the_flow_goes_on() -> None:
    func = """
    if (msg.payload === 'loop') {
        while (true) {
            try { msg.count = (msg.count || 0) + 1; } catch (e) { /* cannot catch the stop */ }
        }
    }
    return msg;
    """
    flow = function_flow(func, timeout=0.2, extra=OOPS)
    result = run_flow(flow, inputs=[{"payload": "loop"}, {"payload": "next"}], into="f",
                      timeout=60)
    assert result.payloads("f") == ["next"]
    [caught] = result.sent("oops")
    assert caught["payload"] == "loop"
    assert caught["error"]["message"] == "function ran longer than its timeout of 0.2 s"
    assert caught["error"]["source"]["id"] == "f"


def test_a_timer_that_loops_is_stopped_too() -> None:
    func = """
    setTimeout(() => {
        for (;;) {}
    }, 100);
    setTimeout(() => node.send({payload: 'still here'}), 200);
    return null;
    """
    flow = function_flow(func, timeout=0.2, extra=OOPS)
    result = run_flow(flow, inputs=[{}], into="f", timeout=60)
    assert result.payloads("f") == ["still here"]
    assert [m["error"]["message"] for m in result.sent("oops")] == [
        "function ran longer than its timeout of 0.2 s"
    ]


def test_with_a_timeout_the_code_still_reads_and_writes_context() -> None:
    func = """
    const seen = context.get('seen') || [];
    seen.push(msg.payload);
    context.set('seen', seen);
    const limits = flow.get('limits');
    limits.count = (limits.count || 0) + 1;
    return {payload: [seen.length, flow.get('limits.high'), global.keys(), env.get('UNIT'),
                      limits.count]};
    """
    initialize = "flow.set('limits', {high: 30});\nglobal.set('site', 'p1');"
    flow = function_flow(func, initialize=initialize, timeout=5, header="id: ctx\nenv: {UNIT: C}")
    result = run_flow(flow, inputs=[{"payload": "a"}, {"payload": "b"}])
    assert result.errors == []
    assert result.payloads("f") == [[1, 30, ["site"], "C", 1], [2, 30, ["site"], "C", 2]]
    assert result.flow_context("ctx") == {"limits": {"high": 30, "count": 2}}


def test_code_over_its_memory_limit_fails_its_message_and_the_node_goes_on() -> None:
    func = """
    if (msg.payload === 'grow') {
        const kept = [];
        while (true) kept.push('x'.repeat(1000) + kept.length);
    }
    return msg;
    """
    flow = function_flow(func, memory_limit=8, extra=OOPS)
    result = run_flow(flow, inputs=[{"payload": "grow"}, {"payload": "next"}], into="f")
    assert result.payloads("f") == ["next"]
    [caught] = result.sent("oops")
    assert caught["payload"] == "grow"
    assert caught["error"]["message"] == "function ran out of its memory limit of 8 MB"


def test_a_context_that_ran_out_of_memory_is_made_again() -> None:
    func = """
    if (msg.payload === 'hoard') {
        globalThis.hoard = [];
        for (let i = 0; ; i++) globalThis.hoard.push(new Array(100000).fill(i));
    }
    return {payload: typeof globalThis.hoard};
    """
    flow = function_flow(func, memory_limit=16, extra=OOPS)
    result = run_flow(flow, inputs=[{"payload": "hoard"}, {"payload": "after"}], into="f")
    assert result.payloads("f") == ["undefined"]
    assert [m["error"]["message"] for m in result.sent("oops")] == [
        "function ran out of its memory limit of 16 MB"
    ]
    assert result.warnings == [
        ("f", "function ran out of its memory limit of 16 MB: the JavaScript context was made "
              "again; its timers and the JavaScript variables it kept between messages are lost")
    ]


@pytest.mark.parametrize(
    "func",
    [
        "function down(n) {\n  return down(n + 1) + 1;\n}\nreturn {payload: down(0)};",
        "const deep = (n) => n === 0 ? 0 : 1 + deep(n - 1);\nreturn {payload: deep(1e7)};",
    ],
)
def test_runaway_recursion_fails_the_message(func: str) -> None:
    result = run_flow(function_flow(func), inputs=[{}])
    assert result.sent("f") == []
    [error] = result.errors
    assert error.message.startswith("RangeError: Maximum call stack size exceeded")


def test_code_without_limits_keeps_its_globals_between_messages() -> None:
    func = "counter = (typeof counter === 'number' ? counter : 0) + 1;\nreturn {payload: counter};"
    result = run_flow(function_flow(func), inputs=[{}, {}, {}])
    assert result.payloads("f") == [1, 2, 3]


def test_code_that_loops_after_await_fails_its_message_instead_of_holding_it() -> None:
    func = """
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (msg.payload === 'loop') {
        while (true) {}
    }
    return msg;
    """
    flow = function_flow(func, timeout=0.2, extra=OOPS + "\ndone: {type: complete, scope: [f]}")
    result = run_flow(flow, inputs=[{"payload": "loop"}, (1, {"payload": "next"})], into="f",
                      timeout=60)
    assert result.payloads("f") == ["next"]
    [caught] = result.sent("oops")
    assert caught["payload"] == "loop"
    assert caught["error"]["message"] == "function ran longer than its timeout of 0.2 s"
    assert [m["payload"] for m in result.sent("done")] == ["next"]
