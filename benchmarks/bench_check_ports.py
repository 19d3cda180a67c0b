"""What `flowrt run --check-ports` costs: msgs/s of a chain of typed nodes, checked or not.

    python benchmarks/bench_check_ports.py               # 5 rounds, N=20,000, chain of 5
    python benchmarks/bench_check_ports.py --rounds 1 --n 5000 --length 10

A chain of change nodes, each declaring `in: Reading` (the last also `out: Reading`), runs
in-process on the real runtime (a plan from a flow text, messages sent into its first node, no
harness taps) two ways, alternating in each round so noise hits both: as `flowrt run` plans it,
and with the plan of `--check-ports` (flowrt.compile.port_checks). The table gives the median
msgs/s of each, their ratio, and the cost of one check in microseconds (the time added per
message, divided by the checks each message goes through).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from flowrt.compile import build_plan
from flowrt.compile.port_checks import with_port_checks
from flowrt.load import Project, load_text
from flowrt.run import Runtime

READING = """\
ontologies:
  Reading:
    type: object
    required: [sensor, celsius, at]
    properties:
      sensor: {type: string}
      celsius: {type: number}
      at: {type: integer}
"""


def flow(length: int) -> str:
    nodes = ["  in: {type: link-in, to: n0}"]
    for i in range(length):
        to = f"n{i + 1}" if i + 1 < length else "end"
        out = ", out: Reading" if i + 1 == length else ""
        nodes.append(f"  n{i}: {{type: change, in: Reading{out}, "
                     f"rules: [{{set: topic, to: t{i}}}], to: {to}}}")
    nodes.append("  end: {type: debug, active: false}")
    return f"flowrt: 1\n{READING}nodes:\n" + "\n".join(nodes) + "\n"


async def run_chain(text: str, n: int, checked: bool) -> float:
    project = Project(documents=[load_text(text, "b.yaml")])
    plan, _ = build_plan(project, env={})
    if checked:
        plan = with_port_checks(plan, project)
    rt = Runtime(plan, env={})
    await rt.start()
    messages = [{"payload": {"sensor": f"s{i % 7}", "celsius": i / 10, "at": i}}
                for i in range(n)]
    start = time.perf_counter()
    for msg in messages:
        rt.inject("in", msg)
    elapsed = time.perf_counter() - start
    await rt.stop()
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--length", type=int, default=5, help="nodes in the chain")
    args = parser.parse_args()
    text = flow(args.length)
    rates: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(args.rounds):
        for checked in (False, True):
            rates[checked].append(asyncio.run(run_chain(text, args.n, checked)))
    plain, typed = statistics.median(rates[False]), statistics.median(rates[True])
    checks = args.length + 1  # every input, and the last node's output
    per_check = (1 / typed - 1 / plain) / checks * 1e6
    print(f"chain of {args.length} typed nodes, N={args.n}, {args.rounds} rounds (median)")
    print(f"{'unchecked msgs/s':>17} {'--check-ports':>14} {'ratio':>6} {'us/check':>9}")
    print(f"{plain:>17.0f} {typed:>14.0f} {typed / plain:>5.2f}x {per_check:>9.1f}")


if __name__ == "__main__":
    main()
