"""chain5's message path in bytecodes: how many Python instructions one message executes.

    python benchmarks/bench_opcodes.py                  # 100 messages, the 12 costliest functions
    python benchmarks/bench_opcodes.py --lines fused    # per line of the compiled run's code
    python benchmarks/bench_opcodes.py --before /tmp/flowrt-before

On a shared machine the CPU figures of ``bench_script.py`` move by several percent from one
run to the next, which hides a cut of a few percent. This counts instead: the source script's
``node.send`` of chain5's message (as its body calls it, through the compiled sender of a dict
display, for the message the asynchronous source holds) is called N times under
``sys.settrace`` with opcode events, and every instruction executed in Python code on the way
(change, switch, script, template, counter, the run's own code) is counted, per function. The
figure is the same from run to run for the same tree; what it leaves out is the time of the C
functions called (``repr`` of a float, dict methods), which the loop of the speed goal pays too.

``--before TREE`` counts with the flowrt and the ``nodes/`` of another source tree too (a
``git archive`` of an older commit), in a process of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import inspect
import io
import json
import os
import random
import subprocess
import sys
from pathlib import Path
from types import FrameType
from typing import Any

HERE = Path(__file__).resolve().parent
FLOW = HERE / "flows" / "chain5.yaml"


async def count(n: int, lines: str | None = None) -> dict[str, Any]:
    """Instructions a message, in all and per function (per line of ``lines``, a function's
    name, when given), over ``n`` messages after three uncounted ones."""
    from flowrt.compile import build_plan
    from flowrt.load import load_project
    from flowrt.run.runtime import Runtime

    env = {**os.environ, "BENCH_N": "0", "BENCH_FACTOR": "1"}
    plan, _ = build_plan(load_project([FLOW]), env=env)
    rt = Runtime(plan, env=env)
    with contextlib.redirect_stdout(io.StringIO()):
        await rt.start()
        await rt.wait_idle()
    rt.stores.scope("global").set("expect", -1)  # the counter never prints
    node: Any = rt.nodes["src"]
    origin = {"_msgid": "0000000000000001", "payload": 0}  # the inject message, held
    api = node._api.bound(origin)
    rt.contexts["src"].hold(origin)
    senders = [v for k, v in node._fn.__globals__.items() if k.startswith("__flowrt_send_")]
    send = senders[0] if senders else (lambda s, m: s(m))  # an older tree: no sender
    # the sender takes the display's values (a0, a1) and makes it; an older one took it made;
    # it takes the script's node (the body tests that it is the script's own), or before that
    # the node's send
    values = senders and "msg" not in inspect.signature(send).parameters
    target = api if senders and "node" in inspect.signature(send).parameters else api.send
    per: collections.Counter[str] = collections.Counter()
    at: collections.Counter[int] = collections.Counter()

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        frame.f_trace_opcodes = True
        if event == "opcode":
            code = frame.f_code
            per[f"{code.co_name} ({Path(code.co_filename).name})"] += 1
            if code.co_name == lines:
                at[frame.f_lineno or 0] += 1
        return tracer

    for i in range(3):
        if values:
            send(target, random.random(), i)
        else:
            send(target, {"payload": {"v": random.random(), "i": i}})
    sys.settrace(tracer)
    try:
        for i in range(n):
            if values:
                send(target, random.random(), i)
            else:
                send(target, {"payload": {"v": random.random(), "i": i}})
    finally:
        sys.settrace(None)
    counted = rt.stats["cnt"][0]
    rt.contexts["src"].done(origin)
    await rt.stop()
    if counted != n + 3:
        raise SystemExit(f"the counter got {counted} messages, not {n + 3}")
    return {"per_message": sum(per.values()) / n,
            "functions": {k: v / n for k, v in per.most_common()},
            "lines": {line: v / n for line, v in sorted(at.items())}}


def in_tree(tree: Path, n: int) -> dict[str, Any]:
    """:func:`count` run by the flowrt and the nodes of ``tree``."""
    path = os.pathsep.join(str(p) for p in (tree, tree / "editable"))
    out = subprocess.run([sys.executable, __file__, "--n", str(n), "--json"], cwd=tree,
                         env={**os.environ, "PYTHONPATH": path}, capture_output=True,
                         text=True, check=True, timeout=600)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100, help="messages counted")
    parser.add_argument("--most", type=int, default=12, help="functions listed")
    parser.add_argument("--lines", metavar="FUNCTION", help="count per line of this function")
    parser.add_argument("--before", type=Path, metavar="TREE", help="count another tree too")
    parser.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = parser.parse_args()
    now = asyncio.run(count(args.n, args.lines))
    if args.json:
        print(json.dumps(now))
        return
    if args.before is not None:
        then = in_tree(args.before, args.n)
        print(f"instructions a message: {then['per_message']:.1f} before, "
              f"{now['per_message']:.1f} now")
    else:
        print(f"instructions a message: {now['per_message']:.1f}")
    for name, value in list(now["functions"].items())[:args.most]:
        print(f"{value:8.1f}  {name}")
    for line, value in now["lines"].items():
        print(f"{value:8.1f}  line {line}")


if __name__ == "__main__":
    main()
