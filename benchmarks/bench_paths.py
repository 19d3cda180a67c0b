"""What recording messages' paths costs (flowrt.run.paths): chain5's fused steps with the
recorder off, at its default sample (10/s) and recording every message, side by side.

    python benchmarks/bench_paths.py                 # 9 rounds, N=20,000
    python benchmarks/bench_paths.py --rounds 15 --n 50000

Each round makes a runtime of chain5's five fused steps (change, switch, script, template,
script) behind an inject node, and sends N messages into the flow as that source's (as a
source's read message enters it, so sampling starts traces there), once per column,
alternating, so that the noise of this shared machine hits every column alike:

- ``off``: ``--path-sample off``: nothing wrapped (the message path as without the recorder);
- ``10/s``: the default: every node wrapped, the first 10 messages a second recorded;
- ``every``: ``--path-sample 1``: each of the N messages' six visits recorded.

Rates are messages per CPU second of this process; the table gives best and median, and the
median of each round's ratio to its own ``off``.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_metrics import CHAIN  # noqa: E402

FLOW = CHAIN + "  go: {type: inject, to: chg}\n"
SAMPLES = {"off": "off", "10/s": "10/s", "every": "1"}


def measure(rounds: int, n: int) -> dict[str, list[float]]:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    report(measure(args.rounds, args.n),
           f"chain5's fused steps in process, N={args.n:,}, {args.rounds} rounds")


if __name__ == "__main__":
    main()
