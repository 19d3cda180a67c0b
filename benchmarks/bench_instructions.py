"""chain5 and the hand-written loops in machine instructions a message, under callgrind.

    python benchmarks/bench_instructions.py                  # flowrt 2,000 and 12,000 messages
    python benchmarks/bench_instructions.py --functions 15   # and flowrt's 15 costliest C functions
    python benchmarks/bench_instructions.py --before /tmp/flowrt-before
    python benchmarks/bench_instructions.py --n-low 200 --n-high 1200 --json

Wall-clock figures on a shared machine move by 10 to 60 % from one run to the next; valgrind's
callgrind counts the machine instructions a process executes (Ir), the same from run to run for
the same code and input. Each figure here is the count of two runs that differ only in the
number of messages, their difference divided by that number, so that start-up, imports and the
flow's compilation cancel out:

- **flowrt**: ``bench_script.py --n N --reps 1`` (chain5 in-process, driven by its own source
  script: a warm-up run of N and one of N, 2N messages), at ``--n-low`` and ``--n-high``;
- **python_loop** and **python_loop_same** of ``compare_all.py``, the hand-written loops of the
  speed goal, at ``--n-low`` and ``--n-low`` plus twice the difference (as many messages as
  flowrt's difference).

The ratios loop / flowrt are those of the goal (chain5 / the loop >= 0.5x in messages a second)
counted in instructions: the CPU-work part of it, not the wall-clock figure, which also pays
for cache misses and mispredicted branches (the runtime's path touches more memory and code
than the loop). Every run has ``PYTHONHASHSEED=0``, ``random`` seeded, no
``PYTHONDONTWRITEBYTECODE``, no metrics sampling (``FLOWRT_METRICS_SAMPLE=off``: a sample is
taken every 0.1 s of wall time, which under valgrind is every few hundred messages, more when
the machine is busy) and a node type index of its own (``FLOWRT_CACHE_DIR``), and an
un-measured run before (bytecode written, the index made); a run during which the index was
rewritten (a full discovery of the node types: a pack's file changed meanwhile) runs again.

``--functions K`` lists flowrt's K costliest C functions a message (self cost, from
``callgrind_annotate`` of the two runs, their difference over the messages). ``--before TREE``
counts the flowrt and ``nodes/`` of another source tree too (a ``git archive`` of an older
commit), with this tree's benchmark scripts. Runs go two at a time (``--jobs``); each takes
from 20 s to a minute under valgrind.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FLOWRT = ("import random, runpy, sys; random.seed(0); sys.path[0] = {here!r}; "
          "sys.argv = ['bench_script.py', '--n', '{n}', '--reps', '1']; "
          "runpy.run_path({script!r}, run_name='__main__')")
LOOP = ("import random, sys; random.seed(0); sys.path[0] = {here!r}; import compare_all; "
        "compare_all.{loop}({n})")
LOOPS = ("python_loop", "python_loop_same")
_COLLECTED = re.compile(r"^==(\d+)== Collected : (\d+)$", re.MULTILINE)
_FUNCTION = re.compile(r"^\s*([\d,]+) \([^)]*\)\s+(.+?)(?: \[[^\]]*\])?$")


class Scratch:
    """Where the runs of one tree keep their files: callgrind's output and the node type index
    (a temporary folder, removed after)."""

    def __init__(self, tree: Path | None) -> None:
        self.tree = tree
        self.folder = Path(tempfile.mkdtemp(prefix="bench-instructions-"))
        self.index = self.folder / "index"
        self.index.mkdir()

    def env(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONHASHSEED": "0", "FLOWRT_CACHE_DIR": str(self.index),
               "FLOWRT_METRICS_SAMPLE": "off"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        if self.tree is not None:
            env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (self.tree, self.tree / "editable"))
        return env

    def cwd(self) -> Path:
        return self.tree if self.tree is not None else ROOT

    def index_state(self) -> list[tuple[str, int]]:
        return sorted((p.name, p.stat().st_mtime_ns) for p in self.index.iterdir())

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _code(kind: str, n: int) -> str:
    if kind == "flowrt":
        return FLOWRT.format(here=str(HERE), n=n, script=str(HERE / "bench_script.py"))
    return LOOP.format(here=str(HERE), loop=kind, n=n)


def _python(scratch: Scratch, kind: str, n: int, valgrind: tuple[str, ...] = ()) -> str:
    """Run one measured program (under ``valgrind`` when given); its stderr."""
    cmd = [*valgrind, sys.executable, "-c", _code(kind, n)]
    try:
        done = subprocess.run(cmd, cwd=scratch.cwd(), env=scratch.env(), capture_output=True,
                              text=True, timeout=3600, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise SystemExit(f"{kind} --n {n} did not end within {exc.timeout:.0f} s") from exc
    if done.returncode != 0:
        where = f" in {scratch.tree}" if scratch.tree is not None else ""
        raise SystemExit(f"{kind} --n {n}{where} failed (exit {done.returncode}):\n"
                         f"{(done.stdout + done.stderr)[-3000:]}")
    return done.stderr


def warm_up(scratch: Scratch, kind: str) -> None:
    """An un-measured run: bytecode written and the node type index made."""
    _python(scratch, kind, 100)


def counted(scratch: Scratch, kind: str, n: int, tries: int = 3) -> tuple[int, Path]:
    """The instructions of one run of ``kind`` with ``n`` messages, and callgrind's file."""
    for _ in range(tries):
        before = scratch.index_state()
        out = scratch.folder / f"{kind}-{n}.%p.out"
        stderr = _python(scratch, kind, n, ("valgrind", "--tool=callgrind", "--dump-line=no",
                                            f"--callgrind-out-file={out}"))
        found = _COLLECTED.findall(stderr)
        if not found:
            raise SystemExit(f"valgrind printed no count for {kind} --n {n}:\n{stderr[-3000:]}")
        pid, total = found[0]
        if scratch.index_state() == before:
            return int(total), scratch.folder / f"{kind}-{n}.{pid}.out"
        warm_up(scratch, kind)  # the node types were discovered again during the run
    raise SystemExit(f"{kind} --n {n}: the node type index changed during each of {tries} runs")


def self_costs(path: Path) -> dict[str, dict[str, int]]:
    """Self instructions per C function of a callgrind file, and per source file within it (a
    header's inlined code is counted apart), recursion levels merged; a file is shortened to
    its last two parts."""
    try:
        out = subprocess.run(["callgrind_annotate", "--threshold=100", str(path)],
                             capture_output=True, text=True, check=True, timeout=600).stdout
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"callgrind_annotate failed on {path}:\n{exc.stderr[-2000:]}") from exc
    costs: dict[str, dict[str, int]] = {}
    for line in out.splitlines():
        match = _FUNCTION.match(line)
        if match is None or "PROGRAM TOTALS" in line:
            continue
        where, _, function = match.group(2).rpartition(":")
        function = re.sub(r"'\d+$", "", function)  # a recursion level: _f'2
        where = "/".join(where.split("/")[-2:])
        files = costs.setdefault(function, {})
        files[where] = files.get(where, 0) + int(match.group(1).replace(",", ""))
    return costs


def per_message(pool: ThreadPoolExecutor, scratch: Scratch, kind: str, low: int, high: int,
                messages: int) -> dict[str, Any]:
    """Instructions a message of ``kind``: the runs at ``low`` and ``high``, their difference
    over ``messages``; the two callgrind files under ``files``."""
    runs = list(pool.map(lambda n: counted(scratch, kind, n), (low, high)))
    (ir_low, file_low), (ir_high, file_high) = runs
    return {"per_message": (ir_high - ir_low) / messages, "ir": [ir_low, ir_high],
            "n": [low, high], "messages": messages, "files": [file_low, file_high]}


def functions(counts: dict[str, Any], most: int) -> dict[str, float]:
    """The ``most`` costliest C functions a message, from the two runs' self costs."""
    low, high = (self_costs(path) for path in counts["files"])
    diff = {}
    for function in low.keys() | high.keys():
        files = high.get(function) or low[function]
        name = f"{max(files, key=files.__getitem__)}:{function}"  # where most of it is
        cost = sum(high.get(function, {}).values()) - sum(low.get(function, {}).values())
        diff[name] = cost / counts["messages"]
    ranked = sorted(diff.items(), key=lambda item: -item[1])[:most]
    return {name: round(value, 1) for name, value in ranked}


def measure(n_low: int, n_high: int, before: Path | None = None, most: int = 0,
            loops: bool = True, jobs: int = 2) -> dict[str, Any]:
    """Every figure: flowrt's (and ``before``'s) instructions a message, the loops' and the
    ratios; with ``most``, flowrt's costliest functions."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        raise SystemExit("valgrind (with callgrind_annotate) is needed: apt-get install valgrind")
    if not 0 < n_low < n_high:
        raise SystemExit("--n-low must be above 0 and below --n-high")
    loop_high = n_low + 2 * (n_high - n_low)  # as many messages as flowrt's difference
    messages = 2 * (n_high - n_low)
    here = Scratch(None)
    then = Scratch(before) if before is not None else None
    try:
        kinds: list[tuple[str, Scratch]] = [("flowrt", here)]
        if then is not None:
            kinds.append(("flowrt", then))
        if loops:
            kinds += [(loop, here) for loop in LOOPS]
        for kind, scratch in kinds:
            warm_up(scratch, kind)
        with ThreadPoolExecutor(max(1, jobs)) as pool:
            flowrt = per_message(pool, here, "flowrt", n_low, n_high, messages)
            result: dict[str, Any] = {"commit": _commit(), "flowrt": flowrt}
            if then is not None:
                result["before"] = per_message(pool, then, "flowrt", n_low, n_high, messages)
                result["before"]["tree"] = str(before)
            for loop in LOOPS if loops else ():
                result[loop] = per_message(pool, here, loop, n_low, loop_high, messages)
                result[loop]["ratio"] = result[loop]["per_message"] / flowrt["per_message"]
        if most:
            result["functions"] = functions(flowrt, most)
    finally:
        here.remove()
        if then is not None:
            then.remove()
    for value in result.values():
        if isinstance(value, dict):
            value.pop("files", None)
    return result


def _commit() -> str | None:
    done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                          capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def report(result: dict[str, Any]) -> None:
    """The figures as text."""
    flowrt = result["flowrt"]
    print(f"machine instructions a message (callgrind Ir) at {result['commit']}, "
          f"{flowrt['messages']:,} messages between two runs:")
    print(f"  {'flowrt (chain5, bench_script.py)':36} {flowrt['per_message']:10,.0f}")
    if "before" in result:
        before = result["before"]
        print(f"  {'flowrt of ' + before['tree']:36} {before['per_message']:10,.0f}  "
              f"({before['per_message'] / flowrt['per_message']:.3f}x now)")
    for loop in LOOPS:
        if loop in result:
            print(f"  {loop:36} {result[loop]['per_message']:10,.0f}  loop / flowrt "
                  f"{result[loop]['ratio']:.3f}")
    if any(loop in result for loop in LOOPS):
        print("  (the CPU-work part of the goal, loop / flowrt >= 0.5 in wall time)")
    if "functions" in result:
        print("flowrt's costliest C functions, self instructions a message:")
        for name, value in result["functions"].items():
            print(f"  {value:10,.1f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n-low", type=int, default=2000, help="messages of the short runs")
    parser.add_argument("--n-high", type=int, default=12000,
                        help="flowrt's messages of the long run (the loops': twice the "
                             "difference more than --n-low)")
    parser.add_argument("--before", type=Path, metavar="TREE", help="count another tree too")
    parser.add_argument("--functions", type=int, default=0, metavar="K",
                        help="list flowrt's K costliest C functions a message")
    parser.add_argument("--no-loops", action="store_true", help="count flowrt alone")
    parser.add_argument("--jobs", type=int, default=2, help="runs at a time")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    before = args.before.resolve() if args.before is not None else None
    if before is not None and not (before / "flowrt").is_dir():
        raise SystemExit(f"{before} holds no flowrt source tree")
    result = measure(args.n_low, args.n_high, before, args.functions, not args.no_loops,
                     args.jobs)
    if args.json:
        print(json.dumps(result))
    else:
        report(result)


if __name__ == "__main__":
    main()
