"""What the per-node metrics cost on the message path: chain5 before and after, side by side.

    python benchmarks/bench_metrics.py --before 3e02070     # 5 rounds, N=100,000
    python benchmarks/bench_metrics.py --before 3e02070 --rounds 3 --n 50000
    python benchmarks/bench_metrics.py --before 3e02070 --in-process --rounds 30

``--in-process`` measures the message path alone, with less noise: chain5's five fused steps
(change, switch, script, template, script) in one process, messages sent into the first with
``Runtime.inject``, each node's input made by this checkout's ``flowrt.run.dispatch`` or by the
``--before`` revision's (its ``_make_input``, loaded from git: the one place the message path
changed), or this checkout's with ``FLOWRT_METRICS_SAMPLE=0`` (every message timed); many
short runs, alternating, CPU time, paired ratios.

``--before`` is a revision without the metrics (3e02070 is the last one before them); it is
checked out into a temporary git worktree and run from there (``PYTHONPATH``), against this
checkout. Each round runs ``flowrt run --until-idle`` on chain5 once each way, alternating, so
that the noise of this shared machine hits both; the third column runs this checkout with
``FLOWRT_METRICS_SAMPLE=0`` (every message timed: what the sampling saves). The rate is
chain5's counter's, first message to last, in CPU time of the process (``time.process_time``
in place of the flow's ``perf_counter``): on a machine shared with other work the wall time
of one run moves by 2x, the CPU time much less. The table gives the best and the median of
each column, the ratios of the medians to "before", and the median of each round's own ratio
(paired, so that load changing between rounds cancels out).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOW = ROOT / "benchmarks" / "flows" / "chain5.yaml"


def cpu_flow(into: Path) -> Path:
    """chain5 timed in CPU time of the process (see the module), its source's script without
    a time limit (on a loaded machine sending 200,000 messages may take over the 10 s)."""
    text = FLOW.read_text().replace("time.perf_counter()", "time.process_time()")
    text = text.replace("    label: source\n", "    label: source\n    timeout: 0\n")
    path = into / "chain5_cpu.yaml"
    path.write_text(text)
    return path


def run(tree: Path, flow: Path, n: int, **extra: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # the node packs import as flowrt_nodes (an editable install maps it to this checkout's
    # nodes/): a link beside the tree makes the tree's own nodes/ that package
    link = tree.parent / "packs" / "flowrt_nodes"
    if not link.exists():
        link.parent.mkdir(exist_ok=True)
        link.symlink_to(tree / "nodes")
    env.update(BENCH_N=str(n), PYTHONPATH=f"{tree}{os.pathsep}{link.parent}", **extra)
    out = subprocess.run([sys.executable, "-m", "flowrt", "run", "--until-idle", "--log-level",
                          "warning", str(flow)], capture_output=True, text=True, env=env,
                         cwd=tree, timeout=600)
    match = re.search(r"msgs_per_s=(\d+)", out.stdout + out.stderr)
    if not match:
        raise SystemExit(f"no RESULT from {tree}:\n{out.stdout}{out.stderr}")
    return int(match.group(1))


CHAIN = """\
flowrt: 1
nodes:
  chg: {type: change, rules: [{set: payload.x, to: 1}], to: sw}
  sw: {type: switch, property: payload.v, rules: [{gt: 0.5}, {else: true}], to: {0: fn, 1: fn}}
  fn:
    type: script
    code: |
      msg["payload"]["y"] = msg["payload"]["v"] * 2
      return msg
    to: tpl
  tpl: {type: template, property: topic, syntax: mustache, template: "value {{payload.v}}",
        to: cnt}
  cnt:
    type: script
    code: |
      context.set("c", context.get("c", 0) + 1)
      return None
"""


def in_process(before: str, rounds: int, n: int) -> None:
    import asyncio
    import random
    import time
    import types
    from unittest import mock

    from flowrt.compile import build_plan
    from flowrt.load import Project, load_text
    from flowrt.run import Runtime, dispatch

    old = types.ModuleType("dispatch_before")
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{before}:flowrt/run/dispatch.py"],
                            check=True, capture_output=True, text=True).stdout
    sys.modules[old.__name__] = old  # its dataclasses look their module up
    exec(compile(source, "dispatch_before.py", "exec"), old.__dict__)  # noqa: S102
    plan, _ = build_plan(Project(documents=[load_text(CHAIN, "chain.yaml")]), env={})
    messages = [{"payload": {"v": random.random(), "i": i}} for i in range(n)]

    async def once(env: dict[str, str]) -> float:
        with mock.patch.dict(os.environ, env):
            rt = Runtime(plan, env={})
            await rt.start()
        batch = [{"payload": dict(m["payload"])} for m in messages]
        start = time.process_time()
        for msg in batch:
            rt.inject("chg", msg)
        elapsed = time.process_time() - start
        await rt.stop()
        return n / elapsed

    ways = {
        "before": (mock.patch.object(dispatch, "_make_input", old._make_input), {}),
        "after": (contextlib.nullcontext(), {}),
        "after, every msg": (contextlib.nullcontext(), {"FLOWRT_METRICS_SAMPLE": "0"}),
    }
    rates: dict[str, list[float]] = {k: [] for k in ways}
    for _ in range(rounds):
        for name, (patch, env) in ways.items():
            with patch:
                rates[name].append(asyncio.run(once(env)))
    report(rates, f"chain5's fused steps in process, N={n:,}, {rounds} rounds")


def report(rates: dict[str, list[float]], what: str) -> None:
    base = statistics.median(rates["before"])
    print(f"\n{what}, msgs per CPU second:")
    print(f"  {'':<18} {'best':>9} {'median':>9}  median/before")
    for name, values in rates.items():
        median = statistics.median(values)
        print(f"  {name:<18} {max(values):>9,.0f} {median:>9,.0f}  {median / base:.3f}x")
    print("median of each round's ratio to its own 'before' (paired: load that changes between "
          "rounds cancels out):")
    for name, values in list(rates.items())[1:]:
        paired = statistics.median(a / b for a, b in zip(values, rates["before"], strict=True))
        print(f"  {name:<18} {paired:.3f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="a revision without the metrics")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--in-process", action="store_true",
                        help="the fused steps alone, in this process (see the module)")
    args = parser.parse_args()
    if args.in_process:
        in_process(args.before, args.rounds, min(args.n, 20_000))
        return
    with tempfile.TemporaryDirectory(prefix="flowrt-before-") as tmp:
        before = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before),
                        args.before], check=True, capture_output=True)
        flow = cpu_flow(Path(tmp))
        try:
            rates: dict[str, list[int]] = {"before": [], "after": [], "after, every msg": []}
            for i in range(args.rounds):
                rates["before"].append(run(before, flow, args.n))
                rates["after"].append(run(ROOT, flow, args.n))
                rates["after, every msg"].append(run(ROOT, flow, args.n,
                                                      FLOWRT_METRICS_SAMPLE="0"))
                print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]}" for k, v in rates.items()),
                      flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)],
                           check=False, capture_output=True)
    report({k: [float(v) for v in vs] for k, vs in rates.items()},
           f"chain5, N={args.n:,}, {args.rounds} rounds")


if __name__ == "__main__":
    main()
