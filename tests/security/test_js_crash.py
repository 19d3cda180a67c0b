"""Attacks on the server through its JavaScript engine: code that drives QuickJS to its memory
limit again and again (QuickJS 2021 crashed there: a segmentation fault of the whole server in
most trials), a worker that dies while it runs a message, and a server asked to stop while
its JavaScript spins. One function node's failure must never take the server down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.nodes.function.jsflow import function_flow
from tests.security.js_attack_kit import ROOT, caught, payloads, run_guarded
from tests.support.waiting import wait_until


@pytest.fixture(autouse=True)
def _in_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """JavaScript in a worker process, as under --scripts sandboxed (under allow it runs inside
    the server unless the operator asks otherwise)."""
    monkeypatch.setenv("FLOWRT_JS_ISOLATION", "worker")


OOPS = "oops: {type: catch, scope: [f]}"
HOARD = """
if (msg.payload === 'hoard') {
    const kept = [];
    while (true) kept.push({x: Math.random(), s: 'abc' + kept.length});
}
return msg;
"""


@pytest.mark.parametrize("megabytes", [8, 24])
def test_code_that_exhausts_its_memory_again_and_again_never_crashes_the_server(
    megabytes: int,
) -> None:
    """QuickJS 2021 inside the server crashed on the first trial at these limits."""
    trials = 40
    inputs = [{"payload": "hoard"} if i % 2 == 0 else {"payload": i} for i in range(2 * trials)]
    flow = function_flow(HOARD, memory_limit=megabytes, timeout=20, extra=OOPS)
    result = run_guarded(flow, inputs, limit=300, timeout=280)
    assert "exit" not in result and "hung" not in result, result
    assert caught(result) == [f"function ran out of its memory limit of {megabytes} MB"] * trials
    assert payloads(result, "f") == list(range(1, 2 * trials, 2))


DEEP = {
    "recursion": "const down = (n) => down(n + 1) + 1;\nreturn {payload: down(0)};",
    "nested JSON": "let o = {};\nfor (let i = 0; i < 1e6; i++) o = {o};\n"
                   "return {payload: JSON.stringify(o).length};",
    "nested arrays parsed": "return {payload: JSON.parse('['.repeat(1e6) + ']'.repeat(1e6))};",
    "nested regex": "return {payload: new RegExp('('.repeat(1e5) + ')'.repeat(1e5)).test('')};",
}


@pytest.mark.parametrize("attack", sorted(DEEP))
def test_deep_structures_fail_their_message_and_the_node_goes_on(attack: str) -> None:
    func = f"if (msg.payload === 'attack') {{\n{DEEP[attack]}\n}}\nreturn msg;"
    flow = function_flow(func, timeout=5, memory_limit=64, extra=OOPS)
    result = run_guarded(flow, [{"payload": "attack"}, {"payload": "next"}])
    assert "exit" not in result and "hung" not in result, result
    assert payloads(result, "f") == ["next"], result
    assert len(caught(result)) == 1, result


def _children(pid: int) -> list[int]:
    """The JavaScript workers among the children of process ``pid``."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(c) for c in text if _alive(int(c))]
    return found


SPIN_NODES = """
first: {type: inject, once: true, once_delay: 0, payload: spin, to: f}
tick: {type: inject, repeat: 0.2, payload: 1, to: f}
oops: {type: catch, scope: [f], to: failed}
shown: {type: debug}
failed: {type: debug, property: error.message}
"""


def _start(tmp_path: Path, func: str, **options: object) -> tuple[subprocess.Popen[str], Path]:
    """`flowrt run` of a flow that feeds `func` a message `spin`, then `1` every 0.2 s; and the
    file of its output."""
    flow = tmp_path / "spin.yaml"
    flow.write_text(function_flow(func, extra=SPIN_NODES, to="shown", **options))
    log = tmp_path / "out.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flowrt", "run", "--log-level", "info", str(flow)],
            stdout=out, stderr=subprocess.STDOUT, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "SERVER_ONLY_TOKEN": "hunter2"},
        )
    return proc, log


def test_a_worker_that_dies_fails_its_message_and_the_node_goes_on(tmp_path: Path) -> None:
    func = "if (msg.payload === 'spin') {\n  while (true) {}\n}\nreturn msg;"
    proc, log = _start(tmp_path, func)
    try:
        wait_until(lambda: _children(proc.pid))
        [worker] = _children(proc.pid)
        assert b"hunter2" not in Path(f"/proc/{worker}/environ").read_bytes()
        time.sleep(1.0)  # the first message spins in it now
        os.kill(worker, signal.SIGKILL)
        wait_until(lambda: log.read_text().count("[debug:shown] 1") >= 3)
        assert proc.poll() is None, log.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    text = log.read_text()
    lost = "the JavaScript worker of this node stopped (killed by signal 9)"
    assert text.count(f"[debug:failed] {lost}") == 1, text
    assert f"[function:f] {lost}: the JavaScript context was made again" in text, text


def test_the_server_stops_on_sigterm_while_javascript_spins(tmp_path: Path) -> None:
    proc, log = _start(tmp_path, "while (true) { await 0; }", timeout=20)  # every message
    wait_until(lambda: _children(proc.pid))
    workers = _children(proc.pid)
    time.sleep(1.5)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise AssertionError("flowrt run did not stop within 30 s of SIGTERM") from None
    assert time.monotonic() - started < 30
    assert code == 0, log.read_text()
    wait_until(lambda: not any(_alive(w) for w in workers))


def _alive(pid: int) -> bool:
    try:
        return b"js_worker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
