"""An asynchronous script's ``node.send`` of a dict display, for the message it holds, goes
through ``NodeContext.send_held``: a message to one input is counted and handed to that input
there, with no call of the node's emit. These check that it reaches the emit's target, counts
as the emit would, and follows the emit when wiring changes it (a hot swap, a test's tap)."""

from __future__ import annotations

import asyncio
import contextlib
import io
from typing import Any

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.run import Runtime

FLOW = """\
flowrt: 1
id: held
nodes:
  src:
    type: script
    code: |
      for i in range(3):
          node.send({"payload": {"i": i, "of": msg["payload"]}})
          await sleep(0)
      return None
    to: seen
  seen:
    type: script
    code: |
      print("seen", msg["payload"]["of"], msg["payload"]["i"])
      return None
"""


async def _run(steps: Any) -> tuple[Runtime, str]:
    plan, _ = build_plan(Project(documents=[load_text(FLOW, "held.yaml")]), env={})
    rt = Runtime(plan)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        await rt.start()
        try:
            await steps(rt)
        finally:
            await rt.stop()
    return rt, out.getvalue()


def test_held_sends_reach_the_next_node_and_count_out() -> None:
    async def steps(rt: Runtime) -> None:
        rt.inject("src", {"payload": "a"})
        await rt.wait_idle()
        assert rt.stats["src"] == [1, 3]
        assert rt.stats["seen"][0] == 3

    _, printed = asyncio.run(_run(steps))
    assert printed.split("\n")[:3] == ["seen a 0", "seen a 1", "seen a 2"]


def test_held_sends_follow_an_emit_wired_again() -> None:
    taken: list[Any] = []

    async def steps(rt: Runtime) -> None:
        rt.inject("src", {"payload": "a"})  # the first emit is the one send_held keeps
        await rt.wait_idle()
        ctx = rt.contexts["src"]
        ctx.emit = lambda output, d: taken.append(output)
        rt.inject("src", {"payload": "b"})
        await rt.wait_idle()

    _, printed = asyncio.run(_run(steps))
    assert [m["payload"] for m in taken] == [{"i": i, "of": "b"} for i in range(3)]
    assert "seen b" not in printed
    assert printed.count("seen a") == 3
