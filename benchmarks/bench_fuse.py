"""Fused runs (flowrt.run.fuse) against hop by hop, side by side in one process.

    python benchmarks/bench_fuse.py                        # 7 rounds
    python benchmarks/bench_fuse.py --rounds 9 --n 50000

Two paths, each measured three ways, alternating round by round: compiled (as a flow runs,
:mod:`flowrt.run.fuse_code`), as the loop of calls (``compiled`` made to give the generic loop:
each node's ``process``, no fast steps) and hop by hop (``fuse_runs`` made to do nothing, so
every node keeps its own input). The paths: chain5's as ``bench_chain5_path.py`` runs it (CPU
us a message, best of 3 runs of N), and a chain of six nodes whose ``process`` returns its
message (what dispatch costs a message when the nodes cost almost nothing). It prints each
path's medians and their ratios to the compiled one.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_chain5_path import measure  # noqa: E402

from flowrt.api import Message, NodeConfig, Output, Transform  # noqa: E402
from flowrt.run.fuse import fuse_runs  # noqa: E402


class Pass(Transform):
    """Sends its message on."""

    type = "pass"
    Config = NodeConfig

    def process(self, msg: Message) -> Output:
        return msg


async def passing(n: int, reps: int, length: int = 6) -> float:
    """CPU us a message through ``length`` pass nodes, the best of ``reps`` runs of ``n``."""
    from flowrt.compile import build_plan
    from flowrt.load import Project, load_text
    from flowrt.registry import Registry, default_registry
    from flowrt.registry.spec import spec_for
    from flowrt.run.runtime import Runtime

    nodes = "\n".join(f"  p{i}: {{type: pass{f', to: p{i + 1}' if i < length - 1 else ''}}}"
                      for i in range(length))
    registry = Registry([*default_registry(), spec_for(Pass, "bench")])
    plan, _ = build_plan(Project(documents=[load_text(f"flowrt: 1\nnodes:\n{nodes}\n", "p.yaml")]),
                         registry, env={})
    rt = Runtime(plan, env={})
    await rt.start()
    first = rt.inputs["p0"]
    best = float("inf")
    for _ in range(reps):
        d = rt.flow.new_delivery()
        msg: dict[str, Any] = {"payload": 1}
        started = time.process_time()
        for _ in range(n):
            first(msg, d)
        best = min(best, time.process_time() - started)
        d.release()
    counted = rt.stats[f"p{length - 1}"][0]
    await rt.stop()
    if counted != n * reps:
        raise SystemExit(f"the last node got {counted} messages, not {n * reps}")
    return best / n * 1e6


def hop_by_hop(*args: Any) -> None:
    """``fuse_runs`` doing nothing: every node keeps its own input."""


def generic(*args: Any) -> Any:
    """``compiled`` giving the run's generic loop (its fifth argument)."""
    return args[4]


WAYS: dict[str, Any] = {
    "compiled": mock.patch("flowrt.run.instantiate.fuse_runs", fuse_runs),
    "loop": mock.patch("flowrt.run.fuse.compiled", generic),
    "hop by hop": mock.patch("flowrt.run.instantiate.fuse_runs", hop_by_hop),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--n", type=int, default=20_000, help="messages per run")
    args = parser.parse_args()
    paths: dict[str, Callable[[], Coroutine[Any, Any, float]]] = {
        "chain5 path": lambda: measure(args.n, 3),
        "six pass nodes": lambda: passing(args.n, 3)}
    figures: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for name, run in paths.items():
            for way, patch in WAYS.items():
                with patch:
                    figures.setdefault((name, way), []).append(asyncio.run(run()))
    for name in paths:
        best = statistics.median(figures[name, "compiled"])
        print(f"{name}, medians of {args.rounds} (us a message):")
        for way in WAYS:
            median = statistics.median(figures[name, way])
            faster = sum(a < b for a, b in zip(figures[name, "compiled"], figures[name, way],
                                               strict=True))
            print(f"  {way}: {median:.3f} us, {median / best:.2f}x the compiled run's"
                  + (f"; compiled faster in {faster} of {args.rounds} rounds"
                     if way != "compiled" else ""))


if __name__ == "__main__":
    main()
