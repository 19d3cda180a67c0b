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

Figures (2 cores shared with other work, load average 2.5 to 4, Python 3.11.7, quickjs-ng
0.17.0.2 (QuickJS-ng 0.10), Node-RED 4.1.15 on Node.js 20.20; the default run, 3 rounds, median
msgs/s):

    flow    Node-RED  script (Py)  function (JS)  inline (JS)  JS/Node-RED  JS/script  JS/inline
    chain5      2007        33446           4804         8581         2.4x      0.14x      0.56x
    fn         12080        88255           6461        28210         0.5x      0.07x      0.23x

The machine was loaded for this run (an earlier run on a quieter machine, with QuickJS 2021
inside the server: chain5 Node-RED 9829, script 170052, function 50804; fn 51733, 417905,
66060), so read the ratios, not the rates. The worker costs one round trip between two
processes a message: ``python benchmarks/bench_js_worker.py`` measures it alone, about 30 us
on this machine (a bare pipe ping-pong between two Python processes is about 4 us; the rest is
waiting for the other process to be scheduled, and framing). That is the price of a crash or a
runaway of QuickJS never reaching the server.

Inside the engine, the JavaScript step costs about 13 us a message against about 1 us in
Python: the message crosses as JSON, and ``JSON.stringify`` alone takes about 4 us for
chain5's small message; ``JSON.parse`` 1.4 us, Python's encoding and decoding about 3 us, the
rest the prelude's bookkeeping. Node-RED's own function step is fast (V8), so on the bare fn
flow the gap is Node-RED's message passing.

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


def run_flowrt(path: Path, n: int, isolation: str = "worker") -> dict[str, int]:
    out = subprocess.run(
        [*flowrt_cmd(), "run", "--until-idle", "--log-level", "warning", str(path)],
        capture_output=True, text=True, timeout=900,
        env=flowrt_env(BENCH_N=str(n), BENCH_FACTOR="1", FLOWRT_JS_ISOLATION=isolation),
    )
    return parse(out.stdout + out.stderr, f"flowrt {path.name}")


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
    args = parser.parse_args()
    rates: dict[tuple[str, str], list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        runners: dict[str, dict[str, Callable[[int], dict[str, int]]]] = {}
        for kind in args.flows:
            paths = {step: flowrt_flow(kind, step, directory) for step in ("script", "function")}
            nr_flow = nodered_fn_flow(directory) if kind == "fn" else None
            runners[kind] = {
                "Node-RED": (lambda n: run_nodered("chain5", n)) if nr_flow is None
                else (lambda n, f=nr_flow: run_nodered_file(f, n)),
                "script": lambda n, p=paths["script"]: run_flowrt(p, n),
                "function": lambda n, p=paths["function"]: run_flowrt(p, n),
                "inline": lambda n, p=paths["function"]: run_flowrt(p, n, "inline"),
            }
        for round_no in range(1, args.rounds + 1):
            for kind in args.flows:
                n = args.n or (200_000 if kind == "chain5" else 100_000)
                for who, run in runners[kind].items():
                    r = run(n)
                    rates.setdefault((kind, who), []).append(r["rate"])
                    print(f"round {round_no} {kind:6} {who:8} n={n} msgs/s={r['rate']} "
                          f"rss_mb={r['rss']}", flush=True)
    print()
    print(f"{'flow':7} {'Node-RED':>10} {'script (Py)':>12} {'function (JS)':>14} "
          f"{'inline (JS)':>12} {'JS/Node-RED':>12} {'JS/script':>10} {'JS/inline':>10}")
    for kind in args.flows:
        nr, py, js, inline = (statistics.median(rates[(kind, w)])
                              for w in ("Node-RED", "script", "function", "inline"))
        print(f"{kind:7} {nr:10.0f} {py:12.0f} {js:14.0f} {inline:12.0f} {js / nr:11.1f}x "
              f"{js / py:9.2f}x {js / inline:9.2f}x")
    print("\nmsgs/s, median of the rounds; chain5: the whole flow, fn: source -> fn -> counter;"
          "\nfunction: JavaScript in the node's worker process (the default under sandboxed), "
          "inline: in the "
          "server\nprocess (FLOWRT_JS_ISOLATION=inline)")


if __name__ == "__main__":
    main()
