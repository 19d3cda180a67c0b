"""The watchdog sees a synchronous body's call as its frame on the loop thread's stack: a call
that blocks is stopped wherever the body runs (hop by hop, or as a step of a compiled run),
and many short calls, however long they run in all, are never taken for one long call."""

from __future__ import annotations

import asyncio
import textwrap
import time
from typing import Any

import pytest
from flowrt_nodes.core.script_watchdog import Guard, innermost

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.run import Runtime
from flowrt.testing import run_flow


def test_a_blocking_body_in_a_compiled_run_is_stopped_and_the_run_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    flow = textwrap.dedent("""\
        flowrt: 1
        nodes:
          a: {type: change, rules: [{set: topic, to: t}], to: s}
          s:
            type: script
            timeout: 0.2
            code: |
              if msg['payload'] == 1:
                  while True:
                      pass
              msg['payload'] += 10
              return msg
            to: b
          b:
            type: script
            code: |
              context.set("got", context.get("got", []) + [msg["payload"]])
              return None
        """)

    async def scenario() -> tuple[set[str], Any]:
        plan, _ = build_plan(Project(documents=[load_text(flow, "f.yaml")]), env={})
        rt = Runtime(plan, env={})
        await rt.start()
        fused = set(rt.instances.inputs.unfused)
        for payload in (1, 2):
            rt.inject("a", {"payload": payload})
        await rt.wait_idle()
        got = rt.contexts["b"].context.get("got")
        await rt.stop()
        return fused, got

    # a watchdog that failed would hang the loop thread: the test would never end
    fused, got = asyncio.run(scenario())
    assert fused == {"a", "s"}  # one compiled run: the script's step is in its code
    assert got == [12]
    stopped = [r.getMessage() for r in caplog.records if "ran longer" in r.getMessage()]
    assert len(stopped) == 1 and "[script:s] script ran longer than its timeout of 0.2 s" in (
        stopped[0])


def test_many_short_calls_running_longer_than_the_timeout_in_all_are_not_stopped() -> None:
    flow = textwrap.dedent("""\
        flowrt: 1
        id: many
        nodes:
          src:
            type: script
            timeout: 0
            code: |
              for i in range(60000):
                  node.send({"payload": i})
                  if i % 1000 == 999:
                      await sleep(0)
              return None
            to: s
          s:
            type: script
            timeout: 0.02
            code: |
              x = 0
              for k in range(50):
                  x += k
              msg["x"] = x
              return msg
            to: cnt
          cnt:
            type: script
            timeout: 0
            code: |
              context.set("n", context.get("n", 0) + 1)
              return None
        """)

    started = time.monotonic()
    result = run_flow(flow, inputs=[{"payload": 0}], into="src", timeout=120)
    took = time.monotonic() - started
    assert took > 0.1  # many timeouts' worth, looked at by the watchdog every 4 ms
    assert result.runtime is not None
    assert result.runtime.contexts["cnt"].context.get("n") == 60000
    assert result.errors == []


def test_the_innermost_call_of_a_body_is_the_one_watched() -> None:
    guard = Guard("n", 1.0)

    def body(depth: int) -> dict[Guard, object]:
        if depth:
            return body(depth - 1)
        return {g: f for g, f in innermost([guard]).items()}

    guard.code = body.__code__
    seen = body(3)
    frame = seen[guard]
    assert frame.f_code is body.__code__ and frame.f_locals["depth"] == 0
    guard.code = None
    assert innermost([guard]) == {}
