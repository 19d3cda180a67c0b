"""chain5 with its fn step as the JavaScript function node, in-process: CPU us per message.

    python benchmarks/bench_function_path.py                      # inline and worker, best of 7
    python benchmarks/bench_function_path.py --before /tmp/js-before --rounds 5

The flow is bench_function.py's (``benchmarks/flows/chain5.yaml`` with ``fn`` as the function
node running ``msg.payload.y = msg.payload.v * 2; return msg;``), started in-process with no
messages from its source; then the source's ``node.send`` is called N times as its script
calls it, and the run waits until the flow is idle (the worker's replies come later). The
figure is this process's CPU time (``time.process_time``) over N, the best of ``--reps``: the
server's cost of one message, the whole path (change, switch, fn, template, counter). With
the worker (``FLOWRT_JS_ISOLATION=worker``), the worker's own CPU time, spent in parallel on
the other core, is not counted; it is printed beside (from ``/proc``), as ``worker``, and so is
the best wall-clock time a message, ``wall`` (on a quiet machine, with the worker, close to
the server's CPU time when the two processes overlap).

``--before TREE`` runs the same measurement with the flowrt and the ``nodes/`` of another
source tree (``git archive`` of an older commit), one process per measurement, the two trees
alternating in each round; the medians of the rounds are printed side by side. ``--after
TREE`` measures another tree than this one as "after" (say, the older tree with only the
function node's files of this one, so that changes to the rest of the path do not count).
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
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
JS_STEP = "msg.payload.y = msg.payload.v * 2;\nreturn msg;"


def _flow(directory: Path, step: str, timeout: float = 0.0) -> Path:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    doc: dict[str, Any] = yaml.load((HERE / "flows" / "chain5.yaml").read_text())
    if step == "function":
        doc["nodes"]["fn"] = {"type": "function", "func": JS_STEP, "timeout": timeout,
                              "to": doc["nodes"]["fn"]["to"]}
    path = directory / f"chain5-{step}.yaml"
    with path.open("w") as out:
        yaml.dump(doc, out)
    return path


def _cpu_of(pid: int | None) -> float:
    """Seconds of CPU a child process has used (user and system), 0 if unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(step: str, n: int, reps: int, timeout: float = 0.0) -> dict[str, float]:
    """CPU microseconds per message (this process's, and the worker's), best of ``reps``."""
    from flowrt.compile import build_plan
    from flowrt.load import load_project
    from flowrt.run.runtime import Runtime

    env = {**os.environ, "BENCH_N": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        plan, _ = build_plan(load_project([_flow(Path(tmp), step, timeout)]), env=env)
    rt = Runtime(plan, env=env)
    await rt.start()
    await rt.wait_idle()
    rt.stores.scope("global").set("expect", -1)  # the counter never prints
    node: Any = rt.nodes["src"]
    api, ctx = node._api, rt.contexts["src"]
    api._msg = {"_msgid": "0000000000000001", "payload": 0}  # the inject message
    calls = getattr(rt.nodes["fn"], "_calls", None)
    worker_pid = getattr(getattr(calls, "js", None), "pid", None)
    best = worker = wall = float("inf")
    for _ in range(reps):
        d = rt.flow.new_delivery()
        ctx.delivery = d
        started, worker_started = time.process_time(), _cpu_of(worker_pid)
        clock = time.perf_counter()
        for i in range(n):
            api.send({"payload": {"v": random.random(), "i": i}})
            if i % 1000 == 999:
                await asyncio.sleep(0)
        ctx.delivery = None
        d.release()
        await rt.wait_idle()
        spent = time.process_time() - started
        wall = min(wall, time.perf_counter() - clock)
        if spent < best:
            best, worker = spent, _cpu_of(worker_pid) - worker_started
    counted = rt.stats["cnt"][0]
    await rt.stop()
    if counted != n * reps:
        raise SystemExit(f"the counter got {counted} messages, not {n * reps}")
    return {"server": best / n * 1e6, "worker": worker / n * 1e6, "wall": wall / n * 1e6}


def _run_tree(tree: Path, isolation: str, n: int, reps: int,
              timeout: float) -> dict[str, float]:
    """One measurement in a process of its own, with ``tree``'s flowrt and nodes."""
    path = os.pathsep.join(str(p) for p in (tree, tree / "editable"))
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--one", "--n", str(n),
         "--reps", str(reps), "--timeout", str(timeout)],
        capture_output=True, text=True, cwd=tree, timeout=900,
        env={**os.environ, "PYTHONPATH": path, "FLOWRT_JS_ISOLATION": isolation},
    )
    if out.returncode != 0:
        raise SystemExit(f"{tree} ({isolation}) failed:\n{out.stderr[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="messages per run")
    parser.add_argument("--reps", type=int, default=7, help="runs a measurement; the best counts")
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each tree")
    parser.add_argument("--before", type=Path, metavar="TREE", help="an older source tree")
    parser.add_argument("--after", type=Path, metavar="TREE", default=HERE.parent,
                        help="the tree to measure (default: this one)")
    parser.add_argument("--isolation", nargs="*", default=["inline", "worker"])
    parser.add_argument("--timeout", type=float, default=0.0,
                        help="the fn node's timeout (a sandboxed server requires one)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(asyncio.run(measure("function", args.n, args.reps, args.timeout))))
        return
    trees = {"after": args.after.resolve()}
    if args.before is not None:
        trees = {"before": args.before.resolve(), **trees}
    results: dict[tuple[str, str], list[dict[str, float]]] = {}
    for round_no in range(1, args.rounds + 1):
        for isolation in args.isolation:
            for name, tree in trees.items():
                r = _run_tree(tree, isolation, args.n, args.reps, args.timeout)
                results.setdefault((isolation, name), []).append(r)
                print(f"round {round_no} {isolation:6} {name:6} server {r['server']:6.2f} us/msg"
                      f"  worker {r['worker']:6.2f}  wall {r['wall']:6.2f}", flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f}; CPU us a message, median of the rounds "
          f"(each the best of {args.reps} runs of {args.n})")
    for isolation in args.isolation:
        for name in trees:
            runs = results[(isolation, name)]
            server = statistics.median(r["server"] for r in runs)
            worker = statistics.median(r["worker"] for r in runs)
            wall = statistics.median(r["wall"] for r in runs)
            print(f"{isolation:6} {name:6} server {server:6.2f}  worker {worker:6.2f}  "
                  f"wall {wall:6.2f}")


if __name__ == "__main__":
    main()
