"""What recording messages' paths costs (flowrt.run.paths): chain5's fused steps with the
recorder off, at its default sample (10/s) and recording every message, side by side.

    python benchmarks/bench_paths.py                 # 9 rounds, N=20,000
    python benchmarks/bench_paths.py --rounds 15 --n 50000
    python benchmarks/bench_paths.py --rounds 15 --n 20000 --before /tmp/paths-before

Each round makes a runtime of chain5's five fused steps (change, switch, script, template,
script) behind an inject node, and sends N messages into the flow as that source's (as a
source's read message enters it, so sampling starts traces there), once per column,
alternating, so that the noise of this shared machine hits every column alike:

- ``off``: ``--path-sample off``: nothing wrapped (the message path as without the recorder);
- ``10/s``: the default: the first 10 messages a second recorded; the others take the calls
  of ``off``, but for the source's sampling test and one look for a trace at each node;
- ``every``: ``--path-sample 1``: each of the N messages' six visits recorded.

Rates are messages per CPU second of this process; the table gives best and median, and the
median of each round's ratio to its own ``off``.

``--before TREE`` runs the three columns by the flowrt of another source tree too (a copy:
``git archive REV | tar -x -C TREE``, with the files to compare put back as they were), each
round one process of each tree in turns, and adds each column's paired ratio to the same
column before. Python 3.11.7, 2 cores shared with other work (load 3.6 to 6.7), N=20,000, 15
rounds, medians of three runs (before: ``flowrt/run/`` ``dispatch``, ``tracing``, ``context``,
``paths`` and ``spans`` as at 9ebc033, each node's process and what it sent wrapped; after:
as at 3f67245, the traced input taken only by a message with a trace; the rest of both trees
the same):

| paired ratio | off | 10/s (default) | every message |
|---|---:|---:|---:|
| before, to its off | 1 | 0.833x, 0.855x, 0.853x | 0.252x, 0.254x, 0.257x |
| after, to its off | 1 | **0.951x, 0.981x, 0.975x** | 0.248x, 0.255x, 0.259x |
| after to before | 1.026x, 0.984x, 0.989x | 1.184x, 1.139x, 1.126x | 1.008x, 0.991x, 0.997x |
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_metrics import CHAIN  # noqa: E402

FLOW = CHAIN + "  go: {type: inject, to: chg}\n"
SAMPLES = {"off": "off", "10/s": "10/s", "every": "1"}


def measure(rounds: int, n: int, quiet: bool = False) -> dict[str, list[float]]:
    from flowrt.compile import build_plan
    from flowrt.load import Project, load_text
    from flowrt.run import Runtime, paths

    plan, _ = build_plan(Project(documents=[load_text(FLOW, "chain.yaml")]), env={})
    messages = [{"payload": {"v": random.random(), "i": i}} for i in range(n)]

    async def once(sample: str) -> float:
        paths.configure(paths.parse_sample(sample))
        rt = Runtime(plan, env={})
        await rt.start()
        batch = [{"payload": dict(m["payload"])} for m in messages]
        start = time.process_time()
        for msg in batch:
            rt.emit_source("go", msg, None)
        elapsed = time.process_time() - start
        await rt.stop()
        paths.configure(paths.Sample())
        return n / elapsed

    rates: dict[str, list[float]] = {name: [] for name in SAMPLES}
    for i in range(rounds):
        for name, sample in SAMPLES.items():
            rates[name].append(asyncio.run(once(sample)))
        if not quiet:
            print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in rates.items()),
                  flush=True)
    return rates


def report(rates: dict[str, list[float]], what: str) -> None:
    base = rates["off"]
    print(f"\n{what}, msgs per CPU second:")
    print(f"  {'':<8} {'best':>9} {'median':>9}  paired ratio to off")
    for name, values in rates.items():
        paired = statistics.median(a / b for a, b in zip(values, base, strict=True))
        print(f"  {name:<8} {max(values):>9,.0f} {statistics.median(values):>9,.0f}  "
              f"{paired:.3f}x")


def run_tree(tree: Path | None, n: int) -> dict[str, float]:
    """One round of the three columns by the flowrt of ``tree`` (None: this checkout's), in a
    process of its own: ``tree``'s ``flowrt`` and, through its ``editable/``, its nodes."""
    env = dict(os.environ)
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (tree, tree / "editable"))
    out = subprocess.run([sys.executable, __file__, "--rounds", "1", "--n", str(n), "--json"],
                         capture_output=True, text=True, env=env, cwd=tree or ROOT, check=True,
                         timeout=600)
    found: dict[str, float] = json.loads(out.stdout.splitlines()[-1])
    return found


def measure_trees(rounds: int, n: int, before: Path) -> dict[str, list[float]]:
    """The columns by the flowrt of ``before`` and by this checkout's, each round one process
    of each, in turns (which goes first alternates)."""
    trees: dict[str, Path | None] = {"before": before, "after": None}
    rates: dict[str, list[float]] = {f"{t} {c}": [] for t in trees for c in SAMPLES}
    for i in range(rounds):
        order = list(trees) if i % 2 == 0 else list(reversed(trees))
        for name in order:
            for column, rate in run_tree(trees[name], n).items():
                rates[f"{name} {column}"].append(rate)
        print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}" for k, v in rates.items()),
              flush=True)
    return rates


def report_trees(rates: dict[str, list[float]], what: str) -> None:
    print(f"\n{what}, msgs per CPU second:")
    print(f"  {'':<14} {'best':>9} {'median':>9}  paired ratio to its off, to before")
    for name, values in rates.items():
        tree, column = name.split(" ", 1)
        own = statistics.median(a / b for a, b in zip(values, rates[f"{tree} off"], strict=True))
        then = statistics.median(
            a / b for a, b in zip(values, rates[f"before {column}"], strict=True))
        print(f"  {name:<14} {max(values):>9,.0f} {statistics.median(values):>9,.0f}  "
              f"{own:.3f}x  {then:.3f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--before", type=Path, metavar="TREE",
                        help="also the flowrt of another source tree, each round in turns")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    what = f"chain5's fused steps in process, N={args.n:,}, {args.rounds} rounds"
    if args.before is not None:
        report_trees(measure_trees(args.rounds, args.n, args.before.resolve()), what)
        return
    rates = measure(args.rounds, args.n, quiet=args.json)
    if args.json:  # one round for measure_trees
        print(json.dumps({name: values[-1] for name, values in rates.items()}))
        return
    report(rates, what)


if __name__ == "__main__":
    main()
