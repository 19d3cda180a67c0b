"""exec: Node-RED's exec node (90-exec.js and its spec) run for real: the three outputs in exec
and spawn mode, return codes on success, failure, timeout and kill, bounded output, and no
process of the node left once its flow stops."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.registry import default_registry
from flowrt.testing import run_flow
from flowrt.testing.harness import FlowResult, Harness


def run(config: str, *payloads: Any, **msg: Any) -> FlowResult:
    flow = f"flowrt: 1\nnodes:\n  x: {{type: exec, {config}}}\n"
    inputs = [{"payload": p, **msg} for p in payloads]
    return run_flow(flow, inputs=inputs, virtual_time=False, timeout=30)


def outputs(result: FlowResult) -> list[list[dict[str, Any]]]:
    return [[{k: v for k, v in m.items() if k != "_msgid"} for m in result.sent("x", p)]
            for p in range(3)]


def test_exec_mode_sends_stdout_and_the_return_code_when_the_command_ends() -> None:
    out, err, rc = outputs(run("command: echo, append: more", "hello", foo="bar"))
    assert out == [{"payload": "hello more\n", "rc": {"code": 0}, "foo": "bar"}]
    assert err == []
    assert rc == [{"payload": {"code": 0}, "foo": "bar"}]


def test_another_property_is_added_and_none_when_it_is_missing() -> None:
    result = run_flow("flowrt: 1\nnodes:\n  x: {type: exec, command: echo, property: topic}\n",
                      inputs=[{"payload": "p", "topic": "t"}, {"payload": "p"}],
                      virtual_time=False)
    assert sorted(m["payload"] for m in result.sent("x")) == ["\n", "t\n"]


def test_values_are_added_as_javascript_writes_them() -> None:
    out = outputs(run("command: echo", 12345, 1.5, True, None, [1, 2], {"a": 1}))[0]
    assert sorted(m["payload"] for m in out) == sorted(
        ["12345\n", "1.5\n", "true\n", "null\n", "1,2\n", "[object Object]\n"])


def test_output_that_is_not_utf8_is_bytes() -> None:
    out = outputs(run(r"command: 'printf \001\002\003\210', property: null", "x"))[0]
    assert out[0]["payload"] == b"\x01\x02\x03\x88"


def test_a_failing_command_sends_stderr_and_the_code_with_a_message() -> None:
    out, err, rc = outputs(run("command: 'echo oops >&2; exit 3', shell: true, property: null",
                               "x", foo=None))
    expected = {"code": 3, "message": "Command failed: echo oops >&2; exit 3\noops\n"}
    assert out == [{"payload": "", "rc": expected, "foo": None}]
    assert err == [{"payload": "oops\n", "rc": expected, "foo": None}]
    assert rc == [{"payload": expected, "foo": None}]


def test_old_rc_sends_no_return_code_on_success() -> None:
    out, _, rc = outputs(run("command: 'true', property: null, old_rc: true", "x"))
    assert out == [{"payload": ""}] and rc == []


def test_a_timeout_kills_the_command() -> None:
    out, _, rc = outputs(run("command: 'sleep 30', property: null, timeout: 0.3, shell: true",
                             "x"))
    expected = {"code": None, "message": "Command failed: sleep 30\n", "signal": "SIGTERM"}
    assert out == [{"payload": "", "rc": expected}] and rc == [{"payload": expected}]


def test_spawn_mode_streams_as_the_command_writes() -> None:
    result = run("command: sh, append: '-c \"echo one; sleep 0.3; echo two >&2; echo three\"', "
                 "mode: spawn, property: null", "x", foo=1)
    out, err, rc = outputs(result)
    assert "".join(m["payload"] for m in out) == "one\nthree\n" and len(out) == 2
    assert err == [{"payload": "two\n", "foo": 1}]
    assert rc == [{"payload": {"code": 0}, "foo": 1}]


def test_spawn_mode_return_codes() -> None:
    assert outputs(run("command: 'false', mode: spawn, property: null", "x"))[2] == [
        {"payload": {"code": 1}}]
    assert outputs(run("command: 'false', mode: spawn, old_rc: true, property: null", "x"))[
        2] == [{"payload": 1}]
    assert outputs(run("command: madeupcommandshouldfail, mode: spawn", "x"))[2] == [
        {"payload": {"code": -2}}]
    assert outputs(run("command: sleep, append: '30', mode: spawn, timeout: 0.3, "
                       "property: null", "x"))[2] == [{"payload": {"code": None,
                                                                   "signal": "SIGTERM"}}]


def test_quoted_words_stay_together_without_a_shell() -> None:
    out = outputs(run('command: printf, append: \'"[%s]" "a b" c\', property: null', "x"))[0]
    assert out[0]["payload"] == "[a b][c]"


def test_output_over_max_output_kills_the_command() -> None:
    out, _, rc = outputs(run("command: 'yes', property: null, max_output: 1000", "x"))
    assert len(out[0]["payload"]) == 1000
    assert rc[0]["payload"] == {"code": "ERR_CHILD_PROCESS_STDIO_MAXBUFFER",
                                "message": "stdout maxBuffer length exceeded",
                                "signal": "SIGTERM"}


def _plan(config: str) -> Any:
    flow = f"flowrt: 1\nnodes:\n  x: {{type: exec, {config}}}\n"
    return build_plan(Project(documents=[load_text(flow, "t.yaml")]), default_registry(),
                      env={})[0]


async def _until(check: Any, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "gave up waiting"
        await asyncio.sleep(0.02)


def _running(marker: str) -> list[int]:
    """The processes running ``sleep MARKER`` (not the shells that started them)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
            except OSError:
                continue
            if cmdline == f"sleep\0{marker}\0".encode():
                found.append(int(entry))
    return found


def _pids(h: Harness) -> list[int]:
    return [int(s["text"][4:]) for _, s in h.result.statuses if s["text"].startswith("pid:")]


def test_msg_kill_sends_the_signal_it_names() -> None:
    async def main() -> list[Any]:
        h = Harness(_plan("command: sleep 30, property: null, mode: spawn"), virtual_time=False)
        await h.start()
        h.send("x", {"payload": 1})
        h.send("x", {"payload": 2})
        await _until(lambda: len(_pids(h)) == 2)
        h.send("x", {"kill": "SIGINT"})  # two are running: a kill without pid does nothing
        h.send("x", {"kill": "SIGINT", "pid": _pids(h)[0]})
        await _until(lambda: len(h.result.sent("x", 2)) == 1)
        h.send("x", {"kill": ""})
        await _until(lambda: len(h.result.sent("x", 2)) == 2)
        await h.stop()
        return [m["payload"] for m in h.result.sent("x", 2)]

    assert asyncio.run(main()) == [{"code": None, "signal": "SIGINT"},
                                   {"code": None, "signal": "SIGTERM"}]


def test_a_timeout_kills_the_whole_process_group() -> None:
    marker = f"3{uuid.uuid4().int % 10**6}.5"
    out = outputs(run(f"command: 'sleep {marker} & sleep {marker}; wait', shell: true, "
                      "property: null, timeout: 0.5", "x"))
    assert out[2][0]["payload"]["signal"] == "SIGTERM"
    asyncio.run(_until(lambda: not _running(marker)))


def test_nothing_is_left_running_when_the_flow_stops() -> None:
    marker = f"4{uuid.uuid4().int % 10**6}.5"

    async def main() -> None:
        h = Harness(_plan(f"command: 'sleep {marker} & sleep {marker}; wait', shell: true, "
                          "mode: spawn, property: null"), virtual_time=False)
        await h.start()
        h.send("x", {"payload": 1})
        h.send("x", {"payload": 2})
        await _until(lambda: len(_running(marker)) == 4)
        await h.stop()
        assert h.result.sent("x", 2) == []  # a flow that stopped sends nothing more

    asyncio.run(main())
    assert _running(marker) == []


def test_flowrt_run_leaves_no_command_running_when_it_ends(tmp_path: Path) -> None:
    marker = f"5{uuid.uuid4().int % 10**6}.5"
    flow = tmp_path / "flow.yaml"
    flow.write_text(f"""\
flowrt: 1
nodes:
  tick: {{type: inject, once: true, payload: go, to: runner}}
  runner: {{type: exec, command: 'sleep {marker} & sleep {marker}; wait', shell: true}}
""")
    process = subprocess.Popen([sys.executable, "-m", "flowrt", "run", str(flow)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        asyncio.run(_until(lambda: len(_running(marker)) == 2, 60.0))
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    assert _running(marker) == []
