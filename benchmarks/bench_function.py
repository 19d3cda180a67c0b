"""The function node (JavaScript in QuickJS-ng) against the script node (Python) and Node-RED.

    python benchmarks/bench_function.py          # 3 rounds, chain5 N=200,000, fn N=100,000
    python benchmarks/bench_function.py --rounds 1 --n 20000

Two flows, each run four ways in every round, alternating so that noise on this shared machine
hits all of them:

- **chain5**: ``benchmarks/flows/chain5.yaml`` (source -> change -> switch -> fn -> template
  -> counter). Its ``fn`` step, ``msg.payload.y = msg.payload.v * 2; return msg;``, runs as
  the flowrt ``function`` node (the JavaScript of Node-RED's chain5, unchanged) in its worker
  process (``FLOWRT_JS_ISOLATION=worker``, the default under ``--scripts sandboxed``), as the
  same node with ``FLOWRT_JS_ISOLATION=inline`` (QuickJS inside the server process, the
  default under ``allow``), as the ``script`` node (the same step in Python, as the file has it),
  and Node-RED runs its own chain5 (``../shared/bench/nodered/run.sh``).
- **fn**: the function step alone between the same source and counter (source -> fn ->
  counter), so the step's own cost shows; Node-RED runs the same three-node flow, made here
  from its chain5.json.

Each run prints ``RESULT msgs= ms= msgs_per_s= rss_mb=`` from the counter (throughput from the
source's first message to the counter's last; ``rss_mb`` is the server's, without the worker's
15 MB); the table gives medians and the ratios.

Figures: chain5, ``--flows chain5 --rounds 2 --n 20000`` (compare_all.py's N), 2 cores shared
with other work at load average 10 to 12, Python 3.11.7, quickjs-ng 0.17.0.2, Node-RED 4.1.15 on
Node.js 20.20, median msgs/s; "before" is the tree of commit d5bd57b (one round trip between
the processes a message), "after" commit 883c459 (messages pipelined to the worker, a leaner
call), run one after the other:

    chain5  Node-RED  script (Py)  function (JS)  inline (JS)  JS/Node-RED  JS/script  JS/inline
    before      1482        18166            462         3629         0.3x      0.03x      0.13x
    after       1950        18776           4414         6531         2.3x      0.24x      0.68x

At that load every wake-up of the other process waits for a core, which a round trip a message
paid twice: the pipelined worker (``js_process.py``) writes up to 256 requests ahead of the
replies, in one write a burst, and takes the replies many a wake-up, so the two processes work
side by side. Read the ratios, not the rates; benchmarks/README.md has the quieter figures.

Later, with the crossing cut (orjson, a plain entry into QuickJS, the '=' reply; ``--rounds 5
--n 20000 --before`` the tree of 9ebc033, load 3.9 to 2.7): worker 2.0x -> 2.9x Node-RED,
inline 3.1x -> 4.2x, the script flow 9.8x in the same rounds (benchmarks/README.md).

Which ratio is true: this docstring used to say the worker made chain5 2.4x Node-RED while
compare_all.py said 1.04x. Both were measured, at different N: 2.4x with this script's
default N=200,000 (Node-RED 2,007 msgs/s, load 2.5 to 4), 1.04x with compare_all's
``--n 100000`` (Node-RED 8,133, load 1 to 2.4). Node-RED's rate falls with N, as its source
queues every message before the chain drains them: on this machine at load 9 to 10, N=20,000
gave 2,724 and 3,885 msgs/s (RSS 131 MB), N=200,000 1,122 and 1,132 (RSS 217 MB). At the same
N the worker of one round trip a message was about as fast as Node-RED (0.3x to 1.04x); the
2.4x came from Node-RED's slowdown at 200,000. Compare ratios at the same N, and say which.

Where a message's time goes now (CPU time of chain5's fn step in one process, best of 9,
on a message like the source's): inline, ``JsCalls.call`` costs about 7.4 us (12.0 at commit
9ebc033, in the same runs). QuickJS takes about 4.2 us of it, of which
``JSON.parse``, the code and ``JSON.stringify`` alone take 3.7 (the two numbers of the message
cost about 0.45 us each to write); orjson 0.5 us to write the message and 1.1 to read the
reply (with the search for an integer of 19 digits it would read as a float); the rest is the
node's own Python. ``benchmarks/bench_function_path.py`` gives the whole path's CPU time a
message, inline and with the worker, against an older tree; benchmarks/README.md has the
figures.

The crossing, measured: the quickjs binding converts numbers, strings, booleans and None but
no dict or list, so the alternative to JSON is building the JavaScript object one field at a
time and reading the result back the same way (one call per field, about 0.3 us each). On
flat messages that is faster (chain5's message: about 6 us against about 10 us, as numbers
cross without being formatted), but every list element, every nested object and every
message sent from the code costs calls of its own, and arrays need more. The node keeps one
JSON text each way: predictable, any shape, and the effects ride along in the same text; with
the worker, that same text is what crosses the pipe.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from nodered_compare import NODERED, flowrt_cmd, flowrt_env, parse, run_nodered  # noqa: E402

JS_STEP = "msg.payload.y = msg.payload.v * 2;\nreturn msg;"
NR_HOME = Path(os.environ.get("NR_HOME", "/tmp/nrbench4"))


def flowrt_flow(kind: str, step: str, directory: Path) -> Path:
    """chain5.yaml, or its source -> fn -> counter part, with ``fn`` as a script or function."""
    yaml = YAML(typ="safe")
    doc: dict[str, Any] = yaml.load((HERE / "flows" / "chain5.yaml").read_text())
    nodes = doc["nodes"]
    nodes["src"]["timeout"] = 0  # its loop sends every message: it lasts as long as the run
    if step == "function":
        nodes["fn"] = {"type": "function", "func": JS_STEP, "to": nodes["fn"]["to"]}
    if kind == "fn":
        for node_id in ("chg", "sw", "tpl"):
            del nodes[node_id]
        nodes["src"]["to"] = "fn"
        nodes["fn"]["to"] = "cnt"
    path = directory / f"{kind}-{step}.yaml"
    with path.open("w") as out:
        yaml.dump(doc, out)
    return path


def run_flowrt(path: Path, n: int, isolation: str = "worker",
               tree: Path | None = None) -> dict[str, int]:
    """``flowrt run`` of a flow file; with ``tree``, the flowrt and ``nodes/`` of that source
    tree (``--before``: its folder and its ``editable/`` first on the path)."""
    extra = {}
    if tree is not None:
        extra["PYTHONPATH"] = os.pathsep.join(str(p) for p in (tree, tree / "editable"))
    out = subprocess.run(
        [*flowrt_cmd(), "run", "--until-idle", "--log-level", "warning", str(path)],
        capture_output=True, text=True, timeout=900, cwd=tree,
        env=flowrt_env(BENCH_N=str(n), BENCH_FACTOR="1", FLOWRT_JS_ISOLATION=isolation,
                       **extra),
    )
    return parse(out.stdout + out.stderr, f"flowrt {path.name}")


def _run_flowrt_n(path: Path, isolation: str, tree: Path | None, n: int) -> dict[str, int]:
    return run_flowrt(path, n, isolation, tree)


def nodered_fn_flow(directory: Path) -> Path:
    """Node-RED's chain5.json cut down to source -> fn -> counter."""
    nodes = json.loads((NODERED / "chain5.json").read_text())
    kept = [n for n in nodes if n["id"] not in ("chg", "sw", "tpl")]
    for node in kept:
        if node["id"] == "src":
            node["wires"] = [["fn"]]
        if node["id"] == "fn":
            node["wires"] = [["cnt"]]
    path = directory / "fn.json"
    path.write_text(json.dumps(kept))
    return path


def run_nodered_file(flow: Path, n: int) -> dict[str, int]:
    """A Node-RED flow file run headless the way run.sh runs its own (run.sh installs it)."""
    if not (NR_HOME / "node_modules" / "node-red" / "red.js").exists():
        run_nodered("chain5", 1000)
    with tempfile.TemporaryDirectory() as user:
        (Path(user) / "flows.json").write_text(flow.read_text())
        env = {**os.environ, "NR_FLOW": f"{user}/flows.json", "NR_USERDIR": user,
               "BENCH_N": str(n), "BENCH_FACTOR": "1"}
        out = subprocess.run(
            ["node", str(NR_HOME / "node_modules" / "node-red" / "red.js"),
             "--settings", str(NODERED / "settings.js"), "--userDir", user],
            capture_output=True, text=True, env=env, timeout=900,
        )
    return parse(out.stdout + out.stderr, f"Node-RED {flow.name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, help="messages per run (default: chain5 200,000, "
                        "fn 100,000)")
    parser.add_argument("--flows", nargs="*", default=["chain5", "fn"])
    parser.add_argument("--before", type=Path, metavar="TREE",
                        help="also run the function node of another source tree (git archive "
                        "of an older commit), in the same rounds")
    args = parser.parse_args()
    before = args.before.resolve() if args.before is not None else None
    rates: dict[tuple[str, str], list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        runners: dict[str, dict[str, Callable[[int], dict[str, int]]]] = {}
        for kind in args.flows:
            paths = {step: flowrt_flow(kind, step, directory) for step in ("script", "function")}
            nr_flow = nodered_fn_flow(directory) if kind == "fn" else None
            runners[kind] = {
                "Node-RED": partial(run_nodered, "chain5") if nr_flow is None
                else partial(run_nodered_file, nr_flow),
                "script": partial(_run_flowrt_n, paths["script"], "worker", None),
                "function": partial(_run_flowrt_n, paths["function"], "worker", None),
                "inline": partial(_run_flowrt_n, paths["function"], "inline", None),
            }
            if before is not None:
                runners[kind]["function, before"] = partial(
                    _run_flowrt_n, paths["function"], "worker", before)
                runners[kind]["inline, before"] = partial(
                    _run_flowrt_n, paths["function"], "inline", before)
        for round_no in range(1, args.rounds + 1):
            for kind in args.flows:
                n = args.n or (200_000 if kind == "chain5" else 100_000)
                for who, run in runners[kind].items():
                    r = run(n)
                    rates.setdefault((kind, who), []).append(r["rate"])
                    print(f"round {round_no} {kind:6} {who:16} n={n} msgs/s={r['rate']} "
                          f"rss_mb={r['rss']}", flush=True)
    print()
    print(f"{'flow':7} {'Node-RED':>10} {'script (Py)':>12} {'function (JS)':>14} "
          f"{'inline (JS)':>12} {'JS/Node-RED':>12} {'JS/script':>10} {'JS/inline':>10}")
    for kind in args.flows:
        nr, py, js, inline = (statistics.median(rates[(kind, w)])
                              for w in ("Node-RED", "script", "function", "inline"))
        print(f"{kind:7} {nr:10.0f} {py:12.0f} {js:14.0f} {inline:12.0f} {js / nr:11.1f}x "
              f"{js / py:9.2f}x {js / inline:9.2f}x   inline/Node-RED {inline / nr:.1f}x")
        if before is not None:
            js0, inline0 = (statistics.median(rates[(kind, w)])
                            for w in ("function, before", "inline, before"))
            print(f"{'  before':7} {'':10} {'':12} {js0:14.0f} {inline0:12.0f} "
                  f"{js0 / nr:11.1f}x {js0 / py:9.2f}x {js0 / inline0:9.2f}x   "
                  f"inline/Node-RED {inline0 / nr:.1f}x")
    print("\nmsgs/s, median of the rounds; chain5: the whole flow, fn: source -> fn -> counter;"
          "\nfunction: JavaScript in the node's worker process (the default under sandboxed), "
          "inline: in the "
          "server\nprocess (FLOWRT_JS_ISOLATION=inline)")


if __name__ == "__main__":
    main()
