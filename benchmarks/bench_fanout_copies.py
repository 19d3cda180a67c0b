"""What branch isolation costs: copies per message and msgs/s, for the shapes of fan-out.

    python benchmarks/bench_fanout_copies.py             # 3 rounds, N=20,000 per shape
    python benchmarks/bench_fanout_copies.py --rounds 1 --n 5000

Each shape runs in-process on the real runtime (a plan from a flow text, messages sent into its
first node, no harness taps) two ways, alternating in each round so noise hits both:

- **rule**: flowrt's copy rule (flowrt.run.dispatch): readers are lent the message, a copy is
  made only where a lent message reaches a node that may change it, and the last branch of a
  fan-out is given the message itself;
- **every wire**: every input gets its own copy (the simplest rule that is correct).

The table gives copies made per message sent in (counted at ``flowrt.run.dispatch.clone``) and
the median msgs/s of each, and their ratio. Both rules give each branch the same messages
(tests/security/test_fanout.py checks it on random trees); the difference is what the rule
saves.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.message import clone
from flowrt.run import Runtime, dispatch

CHANGE = "{type: change, rules: [{set: payload.x, to: {type: num, value: 1}}]"
SHAPES: dict[str, str] = {
    "switch then change, beside a change": f"""
  in: {{type: link-in, to: [sw, late]}}
  sw: {{type: switch, property: payload.v, rules: [{{gt: 0.5}}], to: {{0: ch}}}}
  ch: {CHANGE}, to: end}}
  late: {CHANGE}, to: end}}
  end: {{type: debug, active: false}}""",
    "readers only (switch, filter, debug) beside a change": f"""
  in: {{type: link-in, to: [sw, rbe, log, late]}}
  sw: {{type: switch, property: payload.v, rules: [{{gt: 0.5}}], to: {{0: end}}}}
  rbe: {{type: filter, property: payload.v, to: end}}
  log: {{type: debug, active: false}}
  late: {CHANGE}, to: end}}
  end: {{type: debug, active: false}}""",
    "four changes (the fanout benchmark's shape)": f"""
  in: {{type: link-in, to: [a, b, c, d]}}
  a: {CHANGE}, to: end}}
  b: {CHANGE}, to: end}}
  c: {CHANGE}, to: end}}
  d: {CHANGE}, to: end}}
  end: {{type: debug, active: false}}""",
    "a chain (no fan-out)": f"""
  in: {{type: link-in, to: sw}}
  sw: {{type: switch, property: payload.v, rules: [{{gt: 0.5}}, {{else: true}}],
        to: {{0: ch, 1: ch}}}}
  ch: {CHANGE}, to: end}}
  end: {{type: debug, active: false}}""",
}


@contextmanager
def every_wire() -> Iterator[None]:
    real = dispatch.make_input

    def copying(*args: Any, **kwargs: Any) -> dispatch.Input:
        inner = real(*args, **kwargs)
        return lambda msg, d: inner(dispatch.clone(msg), d)  # counted below

    with mock.patch.object(dispatch, "make_input", copying), \
            mock.patch.object(dispatch, "is_reader", lambda node: False):
        yield


@contextmanager
def counting() -> Iterator[list[int]]:
    count = [0]

    def counted(value: Any) -> Any:
        count[0] += 1
        return clone(value)

    with mock.patch.object(dispatch, "clone", counted):
        yield count


async def run_shape(body: str, n: int) -> float:
    plan, _ = build_plan(Project(documents=[load_text(f"flowrt: 1\nnodes:{body}\n", "b.yaml")]),
                         env={})
    rt = Runtime(plan, env={})
    await rt.start()
    messages = [{"payload": {"v": i / n, "i": i, "o": {"k": i}}} for i in range(n)]
    start = time.perf_counter()
    for msg in messages:
        rt.inject("in", msg)
    elapsed = time.perf_counter() - start
    await rt.stop()
    return n / elapsed


def measure(body: str, n: int, rule: Callable[[], Any]) -> tuple[float, float]:
    """(msgs/s, copies per message) of one run under ``rule`` (a context manager)."""
    with rule():
        rate = asyncio.run(run_shape(body, n))
        with counting() as count:
            asyncio.run(run_shape(body, 1000))
    return rate, count[0] / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    rows = []
    for name, body in SHAPES.items():
        rates: dict[str, list[float]] = {"rule": [], "wire": []}
        copies: dict[str, float] = {}
        for _ in range(args.rounds):
            for key, rule in (("rule", _nothing), ("wire", every_wire)):
                rate, copies[key] = measure(body, args.n, rule)
                rates[key].append(rate)
        rule_rate, wire_rate = statistics.median(rates["rule"]), statistics.median(rates["wire"])
        rows.append((name, copies["rule"], copies["wire"], rule_rate, wire_rate))
    print(f"{'shape':<55} {'copies/msg':>10} {'every wire':>10} {'msgs/s':>9} "
          f"{'every wire':>10} {'ratio':>6}")
    for name, c_rule, c_wire, r_rule, r_wire in rows:
        print(f"{name:<55} {c_rule:>10.1f} {c_wire:>10.1f} {r_rule:>9.0f} {r_wire:>10.0f} "
              f"{r_rule / r_wire:>5.2f}x")


@contextmanager
def _nothing() -> Iterator[None]:
    yield


if __name__ == "__main__":
    main()
