"""The function node's worker process: messages keep their order when a slow one makes the
node go on asynchronously, a burst behind a slow message catches up instead of being refused,
and the JavaScript runs in a process of its own."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from flowrt.testing import run_flow
from tests.nodes.function.jsflow import function_flow


@pytest.fixture(autouse=True)
def _in_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """JavaScript in a worker process, as under --scripts sandboxed (under allow it runs inside
    the server unless the operator asks otherwise)."""
    monkeypatch.setenv("FLOWRT_JS_ISOLATION", "worker")


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


def test_a_worker_killed_mid_message_fails_it_says_so_and_the_next_message_runs() -> None:
    func = "if (msg.payload === 'spin') {\n  while (true) {}\n}\nreturn msg;"

    def kill_the_worker() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            workers = [c for task in Path(f"/proc/{os.getpid()}/task").iterdir()
                       for c in (task / "children").read_text().split()
                       if b"js_worker" in _cmdline(int(c))]
            if workers:
                time.sleep(0.5)  # the message spins in it now
                os.kill(int(workers[0]), signal.SIGKILL)
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_the_worker)
    killer.start()
    flow = function_flow(func, extra="oops: {type: catch, scope: [f]}")
    result = run_flow(flow, inputs=[{"payload": "spin"}, (1, {"payload": "next"})], into="f",
                      virtual_time=False, timeout=60)
    killer.join()
    lost = "the JavaScript worker of this node stopped (killed by signal 9)"
    assert [m["error"]["message"] for m in result.sent("oops")] == [lost]
    assert result.payloads("f") == ["next"]
    assert ("f", {"fill": "red", "shape": "ring", "text": f"JavaScript restarted: {lost}"}) in (
        result.statuses)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def test_the_policy_chooses_where_javascript_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unless the operator says, JavaScript runs in a worker process under --scripts sandboxed
    and inside the server under allow (where whoever deploys may run Python anyway)."""
    from flowrt.check import policy

    monkeypatch.delenv("FLOWRT_JS_ISOLATION")
    flow = function_flow("return msg;", timeout=5)

    def engine() -> str:
        result = run_flow(flow, inputs=[{"payload": 1}], into="f")
        assert result.payloads("f") == [1]
        calls = result.runtime.nodes["f"]._calls  # type: ignore[union-attr,attr-defined]
        return type(calls.js).__name__

    assert engine() == "JsInline"
    policy.configure("sandboxed")
    assert engine() == "JsProcess"
    monkeypatch.setenv("FLOWRT_JS_ISOLATION", "inline")
    policy.configure("allow")
    assert engine() == "JsInline"
    monkeypatch.setenv("FLOWRT_JS_ISOLATION", "worker")
    assert engine() == "JsProcess"


COUNT_IN_CONTEXT = """
const n = (context.get("n") || 0) + 1;
context.set("n", n);
msg.payload = n;
return msg;
"""


@pytest.mark.parametrize("timeout", ["0", "5"])
def test_a_burst_that_counts_in_context_sees_every_write_before_it(timeout: str) -> None:
    """Code that reads context is not pipelined: each message reads the context its
    predecessors wrote (asked of the server, or copied in with a timeout)."""
    count = 600
    result = run_flow(function_flow(COUNT_IN_CONTEXT, timeout=timeout),
                      inputs=[{"payload": 0}] * count, into="f", timeout=60)
    assert result.errors == []
    assert result.payloads("f") == list(range(1, count + 1))


def test_a_burst_with_failing_messages_fails_each_of_them_in_place() -> None:
    func = "if (msg.payload % 3 === 0) throw new Error('no ' + msg.payload);\nreturn msg;"
    count = 900
    flow = function_flow(func, extra="oops: {type: catch, scope: [f]}")
    result = run_flow(flow, inputs=[{"payload": i} for i in range(count)], into="f", timeout=60)
    assert result.payloads("f") == [i for i in range(count) if i % 3]
    assert [m["payload"] for m in result.sent("oops")] == list(range(0, count, 3))
    assert [m["error"]["message"] for m in result.sent("oops")][:2] == [
        "Error: no 0 (line 1)", "Error: no 3 (line 1)"]


def test_a_burst_of_large_messages_arrives_whole_and_in_order() -> None:
    """Frames larger than a pipe's buffer, and requests held back past the bytes written
    ahead of the worker's replies."""
    func = "msg.n = msg.payload.length;\nreturn msg;"
    big = "x" * 200_000
    result = run_flow(function_flow(func), inputs=[{"payload": big + str(i)} for i in range(40)],
                      into="f", timeout=60)
    assert result.errors == []
    assert [m["n"] for m in result.sent("f")] == [len(big + str(i)) for i in range(40)]
    assert [m["payload"] for m in result.sent("f")] == [big + str(i) for i in range(40)]


def test_code_that_reads_context_reads_it_as_its_message_arrives() -> None:
    """Not as later messages have left it: such code is not pipelined."""
    flow = """
    flowrt: 1
    id: ctx
    nodes:
      write:
        type: change
        rules:
          - set: {type: flow, value: last}
            to: {type: msg, value: payload}
        to: f
      f:
        type: function
        func: |-
          msg.seen = flow.get('last');
          return msg;
    """
    result = run_flow(flow.replace("\n    ", "\n"), inputs=[{"payload": i} for i in range(300)],
                      into="write", timeout=60)
    assert [m["seen"] for m in result.sent("f")] == list(range(300))


def test_the_worker_reads_local_time_in_the_server_time_zone() -> None:
    from tests.nodes.function.v8_oracle import time_zone

    code = "msg.payload = new Date(2024, 0, 1, 12).getTimezoneOffset(); return msg;"
    with time_zone("Europe/Berlin"):
        berlin = run_flow(function_flow(code), inputs=[{"payload": 0}], into="f")
    with time_zone("America/New_York"):
        new_york = run_flow(function_flow(code), inputs=[{"payload": 0}], into="f")
    assert berlin.payloads("f") == [-60]
    assert new_york.payloads("f") == [300]
