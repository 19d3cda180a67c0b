"""chain5's message path alone, in-process: microseconds of CPU per message, best of R.

    python benchmarks/bench_chain5_path.py                 # 20,000 messages, best of 7
    python benchmarks/bench_chain5_path.py --n 50000 --reps 9

``compare_all.py --only-loop`` gives the figure of the speed goal (``flowrt run`` against a
hand-written loop, both in wall-clock time). On a shared machine its rounds move by a third
with the load, which hides a cut of a few percent; this measures the same path with less
noise, to decide whether a change to it pays: ``benchmarks/flows/chain5.yaml`` is started
in-process with no messages from its source, then the source node's ``node.send`` is called
N times as its script calls it (a message ``{payload: {v, i}}`` under the inject message's
delivery) and every message runs change -> switch -> script -> template -> counter script.
The figure is process CPU time (``time.process_time``) over N, the best of ``--reps``: the
cost of one message when no other process took the core away.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import time
from pathlib import Path
from typing import Any

FLOW = Path(__file__).resolve().parent / "flows" / "chain5.yaml"


async def measure(n: int, reps: int) -> float:
    """CPU microseconds per message, the best of ``reps`` runs of ``n`` messages."""
    from flowrt.compile import build_plan
    from flowrt.load import load_project
    from flowrt.run.runtime import Runtime

    plan, _ = build_plan(load_project([FLOW]), env={**os.environ, "BENCH_N": "0"})
    rt = Runtime(plan, env={**os.environ, "BENCH_N": "0"})
    await rt.start()
    await rt.wait_idle()
    rt.stores.scope("global").set("expect", -1)  # the counter never prints
    node: Any = rt.nodes["src"]
    api, ctx = node._api, rt.contexts["src"]
    api._msg = {"_msgid": "0000000000000001", "payload": 0}  # the inject message
    best = float("inf")
    for _ in range(reps):
        d = rt.flow.new_delivery()
        ctx.delivery = d
        started = time.process_time()
        for i in range(n):
            api.send({"payload": {"v": random.random(), "i": i}})
        best = min(best, time.process_time() - started)
        ctx.delivery = None
        d.release()
    counted = rt.stats["cnt"][0]
    await rt.stop()
    if counted != n * reps:
        raise SystemExit(f"the counter got {counted} messages, not {n * reps}")
    return best / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="messages per run")
    parser.add_argument("--reps", type=int, default=7, help="runs; the best counts")
    args = parser.parse_args()
    print(f"{asyncio.run(measure(args.n, args.reps)):.3f} us/msg")


if __name__ == "__main__":
    main()
