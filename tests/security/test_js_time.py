"""Attacks on the function node's time limit: code that tries to run past its `timeout`.

Each flow runs in a child process (tests/security/js_attack_kit.py), so an attack that hangs
the engine fails its test instead of hanging the run. Every attack must fail its own message
(to catch, naming the limit) and leave the node working for the next message."""

from __future__ import annotations

import pytest

from tests.nodes.function.jsflow import function_flow
from tests.security.js_attack_kit import caught, failures, payloads, run_guarded


@pytest.fixture(autouse=True)
def _in_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """JavaScript in a worker process, as under --scripts sandboxed (under allow it runs inside
    the server unless the operator asks otherwise)."""
    monkeypatch.setenv("FLOWRT_JS_ISOLATION", "worker")


OOPS = "oops: {type: catch, scope: [f]}"
TIMED_OUT = "function ran longer than its timeout of 0.5 s"
OUT_OF_MEMORY = "function ran out of its memory limit of 256 MB"
FILLS_MEMORY = {"huge array", "string building"}

ATTACKS = {
    "plain loop": "while (true) {}",
    "promise-job loop": "while (true) { await 0; }",
    "async recursion": "async function again() { await null; return again(); }\n"
                       "await again();",
    "detached promise chain": "const spin = () => Promise.resolve().then(spin);\nspin();\n"
                              "return null;",
    "then loop in a promise": "await new Promise(() => { for (;;) {} });",
    "regex backtracking": "return {payload: /(a+)+$/.test('a'.repeat(40) + 'b')};",
    "regex in a replace": "return {payload: ('x'.repeat(30) + 'y').replace(/(x+x+)+z/, '')};",
    "huge array": "const a = [];\nfor (let i = 0; ; i++) a.push(i);",
    "string building": "let s = '';\nfor (;;) s += 'ab'.repeat(3);",
    "sort with a slow comparator": "const a = Array.from({length: 3e5}, (_, i) => -i);\n"
                                   "a.sort((x, y) => { for (let k = 0; k < 1e4; k++); "
                                   "return x - y; });",
    "timer that loops": "setTimeout(() => { for (;;) {} }, 1);\nreturn null;",
    "interval that loops after await": "setInterval(async () => { await 0; for (;;) {} }, 1);\n"
                                       "return null;",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_the_timeout_stops_the_attack_and_the_node_goes_on(attack: str) -> None:
    func = f"if (msg.payload === 'attack') {{\n{ATTACKS[attack]}\n}}\nreturn msg;"
    flow = function_flow(func, timeout=0.5, memory_limit=256, extra=OOPS)
    result = run_guarded(flow, [{"payload": "attack"}, (5, {"payload": "next"})])
    assert "hung" not in result and "exit" not in result, result
    assert payloads(result, "f") == ["next"]
    # filling memory is stopped by whichever limit it reaches first: on a quiet machine the
    # 256 MB go before the half second does
    stopped = {TIMED_OUT, OUT_OF_MEMORY} if attack in FILLS_MEMORY else {TIMED_OUT}
    assert all(e in stopped for e in caught(result)), result
    assert len(failures(result)) == 1 and failures(result)[0] in stopped, result


def test_on_start_that_never_ends_fails_the_start_and_names_the_limit() -> None:
    flow = function_flow("return msg;", initialize="while (true) { await 0; }", timeout=0.5)
    result = run_guarded(flow, [{"payload": 1}])
    assert "hung" not in result, result
    text = str(result)
    assert "On Start failed" in text and "timeout of 0.5 s" in text, result


def test_on_stop_that_never_ends_does_not_hold_up_the_stop() -> None:
    flow = function_flow("return msg;", finalize="for (;;) {}", timeout=0.5)
    result = run_guarded(flow, [{"payload": 1}])
    assert "hung" not in result and "exit" not in result, result
    assert payloads(result, "f") == [1]
    assert failures(result) == [TIMED_OUT], result


def test_a_rejection_of_the_limit_is_not_swallowed_by_the_code() -> None:
    func = """
    try {
        await (async () => { while (true) { await 0; } })();
    } catch (e) {
        return {payload: 'caught ' + e};
    }
    """
    result = run_guarded(function_flow(func, timeout=0.5, extra=OOPS), [{}])
    assert "hung" not in result, result
    assert payloads(result, "f") == []
    assert caught(result) == [TIMED_OUT]
