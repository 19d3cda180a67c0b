"""The function node's worker process: messages keep their order when a slow one makes the
node go on asynchronously, a burst behind a slow message catches up instead of being refused,
and the JavaScript runs in a process of its own."""

from __future__ import annotations

import os

from flowrt.testing import run_flow
from tests.nodes.function.jsflow import function_flow

SLOW_FIRST = """
if (msg.payload === 0) {
    const end = Date.now() + 300;
    while (Date.now() < end) {}
}
return msg;
"""


def test_a_burst_behind_a_slow_message_keeps_its_order_and_is_not_refused() -> None:
    count = 3000
    result = run_flow(function_flow(SLOW_FIRST, timeout=5), inputs=[{"payload": i}
                                                                      for i in range(count)],
                      into="f", timeout=120)
    assert result.errors == []
    assert result.payloads("f") == list(range(count))


def test_the_code_runs_in_a_worker_process_of_its_own() -> None:
    result = run_flow(function_flow("return msg;"), inputs=[{"payload": 1}], into="f")
    assert result.runtime is not None
    node = result.runtime.nodes["f"]
    worker = node._calls.js  # type: ignore[attr-defined]
    assert worker.pid is None  # stopped with the flow
    assert result.payloads("f") == [1]
    seen: list[int] = []
    flow = function_flow("return msg;") + "  g: {type: function, func: 'return msg;'}\n"
    result = run_flow(flow, inputs=[{"payload": 1}], into="f")
    for name in ("f", "g"):
        calls = result.runtime.nodes[name]._calls  # type: ignore[union-attr,attr-defined]
        seen.append(calls.js.started_pid)
    assert len(set(seen)) == 2 and os.getpid() not in seen
