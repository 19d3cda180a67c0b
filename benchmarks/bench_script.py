"""chain5 driven by its own source script, in-process: microseconds of CPU per message.

    python benchmarks/bench_script.py                 # 20,000 messages, best of 7
    python benchmarks/bench_script.py --n 50000 --reps 9

``bench_chain5_path.py`` calls the source's ``node.send`` from Python, so it measures the path
after the source script and not the script itself. This runs ``benchmarks/flows/chain5.yaml``
as ``flowrt run`` does, source script included: the source's body (a loop of ``node.send`` of
a dict display, a yield to the event loop every 1,000) is started by a message injected into
it, and the figure is process CPU time (``time.process_time``) from the injection until the
runtime is idle, over N, the best of ``--reps``. It is what a change to the script node's
own code (entering the body, ``node.send``, ``context``) shows on the flow's whole path.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import time
from pathlib import Path

FLOW = Path(__file__).resolve().parent / "flows" / "chain5.yaml"


async def measure(n: int, reps: int) -> float:
    """CPU microseconds per message, the best of ``reps`` runs of ``n`` messages."""
    from flowrt.compile import build_plan
    from flowrt.load import load_project
    from flowrt.run.runtime import Runtime

    env = {**os.environ, "BENCH_N": str(n), "BENCH_FACTOR": "1"}
    plan, _ = build_plan(load_project([FLOW]), env=env)
    rt = Runtime(plan, env=env)
    best = float("inf")
    with contextlib.redirect_stdout(io.StringIO()):  # the counter's RESULT line
        await rt.start()
        await rt.wait_idle()  # the inject's own run: a warm-up
        for _ in range(reps):
            started = time.process_time()
            rt.inject("src", {"payload": 0})
            await rt.wait_idle()
            best = min(best, time.process_time() - started)
    counted = rt.stats["cnt"][0]
    await rt.stop()
    if counted != n * (reps + 1):
        raise SystemExit(f"the counter got {counted} messages, not {n * (reps + 1)}")
    return best / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=20_000, help="messages per run")
    parser.add_argument("--reps", type=int, default=7, help="runs; the best counts")
    args = parser.parse_args()
    print(f"{asyncio.run(measure(args.n, args.reps)):.3f} us/msg")


if __name__ == "__main__":
    main()
