"""Attacks on what a function node keeps between messages: timers it leaves pending, messages
it never finishes, context it fills. Each is bounded, and the node goes on."""

from __future__ import annotations

import pytest

from flowrt.testing import run_flow
from tests.nodes.function.jsflow import function_flow


@pytest.fixture(autouse=True)
def _in_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """JavaScript in a worker process, as under --scripts sandboxed (under allow it runs inside
    the server unless the operator asks otherwise)."""
    monkeypatch.setenv("FLOWRT_JS_ISOLATION", "worker")


OOPS = "oops: {type: catch, scope: [f]}"


def test_timers_past_the_limit_throw() -> None:
    func = """
    let armed = 0;
    try {
        for (let i = 0; i < 5000; i++) { setTimeout(() => {}, 3600e3); armed++; }
    } catch (e) {
        return {payload: [armed, String(e)]};
    }
    return {payload: [armed, 'no limit']};
    """
    result = run_flow(function_flow(func, timeout=5), inputs=[{}], into="f", until=1)
    [[armed, error]] = result.payloads("f")
    assert armed == 1000
    assert error.startswith("RangeError: too many timers")


def test_messages_that_never_finish_are_bounded() -> None:
    func = "await new Promise(() => {});"
    inputs = [{"payload": i} for i in range(1010)]
    result = run_flow(function_flow(func, timeout=5, extra=OOPS), inputs=inputs, into="f",
                      until=1, timeout=120)
    refused = [m["payload"] for m in result.sent("oops")]
    assert refused == list(range(1000, 1010))
    assert {m["error"]["message"] for m in result.sent("oops")} == {
        "function has 1000 messages in progress (its code is slow or never finishes them); "
        "this one was refused"}


def test_context_a_node_fills_is_bounded() -> None:
    func = """
    const chunk = 'x'.repeat(1024 * 1024);
    flow.set('k' + msg.payload, chunk);
    return {payload: flow.keys().length};
    """
    inputs = [{"payload": i} for i in range(40)]
    result = run_flow(function_flow(func, header="id: fills"), inputs=inputs, into="f",
                      timeout=120)
    kept = result.flow_context("fills")
    assert 25 <= len(kept) <= 32
    assert sum(len(v) for v in kept.values()) <= 32 * 1024 * 1024
    errors = [e.message for e in result.errors] + [t for n, lvl, t in result.logs
                                                   if lvl == "error"]
    assert any("would keep more than 32 MB in context" in e for e in errors), errors


def test_rewriting_the_same_key_is_not_counted_twice() -> None:
    func = "flow.set('big', 'x'.repeat(8 * 1024 * 1024) + msg.payload);\nreturn msg;"
    result = run_flow(function_flow(func, header="id: same"),
                      inputs=[{"payload": i} for i in range(10)], into="f", timeout=120)
    assert result.errors == []
    assert result.flow_context("same")["big"].endswith("9")
