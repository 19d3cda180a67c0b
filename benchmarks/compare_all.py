"""Every figure of the runtime's speed goals in one table: measured, goal, met or not.

    python benchmarks/compare_all.py                     # 2 rounds, small N (a few minutes)
    python benchmarks/compare_all.py --rounds 3 --n 100000 --http-n 2000
    python benchmarks/compare_all.py --json
    python benchmarks/compare_all.py --only-loop --rounds 5 --n 100000   # chain5 / loop alone
    python benchmarks/compare_all.py --only-loop --before ../old-checkout  # and an older tree

Each figure is measured by the benchmark that owns it, called as a function, in this order:

- **chain5 / a Python loop** (goal >= 0.5x): ``flowrt run`` on ``benchmarks/flows/chain5.yaml``
  (``nodered_compare.run_flowrt``) against :func:`python_loop`, the same work per message
  written by hand in one process (make the message, set ``x``, test ``v``, set ``y``, make the
  topic text, count; yielding to the event loop every 1,000 as the flow's source does).
  ``--only-loop`` measures this figure alone and, beside it, chain5 against
  :func:`python_loop_same`: the loop plus what the flow's nodes are told to do besides (the
  copy node.send makes, the ``_msgid``, mustache's escaping test, the counter's context), as a
  hand-written program would do it; with ``--before TREE``, also an older checkout's flowrt.
- **chain5, JavaScript function / Node-RED** (goal >= 10x): chain5 with its ``fn`` step as the
  ``function`` node running Node-RED's JavaScript (``bench_function.flowrt_flow``), in its
  worker process (the default under ``--scripts sandboxed``) and inline (the default under
  ``allow``), against Node-RED's own chain5 (``nodered_compare.run_nodered``).
- **start-up / Node-RED** (goal <= 0.35x) and **idle RSS / Node-RED** (goal <= 0.5x, from
  nodered_compare.py): ``nodered_compare.idle_flowrt`` against ``idle_nodered``.
- **HTTP requests/s / Node-RED**: ``bench_http.measure`` (POST /echo through http in ->
  change -> http response). No goal was set for it; it is printed as measured.
- **the pipeline on real servers / Node-RED** (goals: messages/s >= 5x with nothing lost, p99
  from publish to row <= 0.5x): ``bench_pipeline.run`` with the systems ``flowrt-mqtt5``
  (Mosquitto -> mqtt-in (MQTT 5) -> json -> function -> switch -> change -> influx-out and
  postgres-out, at-least-once) and ``nodered`` (Node-RED 4 running the same nodes, stock). A
  run of flowrt that lost a message does not meet the goal whatever its rate; a Node-RED run
  that lost some is marked, as its rate then counts only what arrived.
- **sinks alone / a hand-written client** (goal >= 0.9x): ``bench_influx.measure``, influx-out
  against a script making the same points with the same library and posting each batch,
  to InfluxDB 1.x and to VictoriaMetrics (2.x write API).
- **2 workers / 1 worker**: ``bench_workers.measure``, ``flowrt run --workers 1`` and ``2`` on a
  CPU-bound flow with no database for the group. No goal; on two cores the workers share them
  with the servers and the publisher.

``--skip pipeline,sinks,workers`` leaves those parts out (they need the test servers of
``.ci/services.sh``; the pipeline also runs Node-RED's MQTT, InfluxDB and PostgreSQL nodes).

Rates are medians over the rounds; every round runs Node-RED and flowrt one after the other so
noise on the shared machine hits both. The figures move with the machine's load: read a
"not met" next to the load printed above the table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_function  # noqa: E402
import bench_http  # noqa: E402
import nodered_compare  # noqa: E402

from flowrt.message import clone  # noqa: E402

AT_LEAST, AT_MOST = ">=", "<="
_NEEDS_ESCAPE = re.compile(r"[&<>\"'/`=]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
                          "/": "&#x2F;", "`": "&#x60;", "=": "&#x3D;"})


async def _python_loop(n: int) -> float:
    count = 0
    started = time.perf_counter()
    for i in range(n):
        msg: dict[str, Any] = {"payload": {"v": random.random(), "i": i}}
        msg["payload"]["x"] = 1
        if msg["payload"]["v"] > 0.5:  # both of the switch's outputs go to fn
            msg["payload"]["y"] = msg["payload"]["v"] * 2
        else:
            msg["payload"]["y"] = msg["payload"]["v"] * 2
        msg["topic"] = f"value {msg['payload']['v']}"
        count += 1
        if i % 1000 == 999:
            await asyncio.sleep(0)
    assert count == n
    return time.perf_counter() - started


def python_loop(n: int) -> int:
    """msgs/s of chain5's work done by a hand-written loop in this process."""
    return round(n / asyncio.run(_python_loop(n)))


async def _python_loop_same(n: int) -> float:
    """:func:`_python_loop` plus what the flow's nodes are told to do besides that work, as
    dicts and calls a hand-written program would use: node.send's copy of each message (as
    Node-RED's function node copies), the inject message's ``_msgid`` on it, mustache's test
    for characters to escape, and the counter's count kept in a context mapping and compared
    with a global one."""
    context: dict[str, Any] = {}
    globals_: dict[str, Any] = {"expect": n}
    origin = {"_msgid": "0000000000000001"}
    done = 0
    started = time.perf_counter()
    for i in range(n):
        msg: dict[str, Any] = clone({"payload": {"v": random.random(), "i": i}})
        if "_msgid" not in msg:
            msg["_msgid"] = origin["_msgid"]
        msg["payload"]["x"] = 1
        if msg["payload"]["v"] > 0.5:
            msg["payload"]["y"] = msg["payload"]["v"] * 2
        else:
            msg["payload"]["y"] = msg["payload"]["v"] * 2
        text = repr(msg["payload"]["v"])
        msg["topic"] = "value " + (text.translate(_ESCAPES) if _NEEDS_ESCAPE.search(text)
                                   else text)
        c = context.get("c", 0) + 1
        context["c"] = c
        if c == globals_.get("expect"):
            done = c
        if i % 1000 == 999:
            await asyncio.sleep(0)
    assert done == n
    return time.perf_counter() - started


def python_loop_same(n: int) -> int:
    """msgs/s of :func:`_python_loop_same`."""
    return round(n / asyncio.run(_python_loop_same(n)))


def _figure(name: str, measured: float, goal: float | None, sense: str,
            detail: str) -> dict[str, Any]:
    met = None if goal is None else (measured >= goal if sense == AT_LEAST else measured <= goal)
    return {"figure": name, "measured": round(measured, 3), "goal": goal, "sense": sense,
            "met": met, "detail": detail}


def _rounds(rounds: int, runs: dict[str, Callable[[], int]]) -> dict[str, int]:
    rates: dict[str, list[int]] = {name: [] for name in runs}
    names = list(runs)
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            rates[name].append(runs[name]())
    return {name: round(statistics.median(values)) for name, values in rates.items()}


def run_tree(tree: Path, n: int) -> int:
    """msgs/s of chain5 run by the flowrt of another source tree (``--before``): its
    ``flowrt`` and, through its ``editable/`` folder, its ``nodes/`` as ``flowrt_nodes``."""
    path = os.pathsep.join(str(p) for p in (tree, tree / "editable"))
    env = nodered_compare.flowrt_env(BENCH_N=str(n), BENCH_FACTOR="1", PYTHONPATH=path)
    out = subprocess.run(
        [*nodered_compare.flowrt_cmd(), "run", "--until-idle", "--log-level", "warning",
         str(HERE / "flows" / "chain5.yaml")],
        capture_output=True, text=True, env=env, cwd=tree, timeout=600,
    )
    return nodered_compare.parse(out.stdout + out.stderr, f"flowrt of {tree}")["rate"]


def measure_loop(rounds: int, n: int, before: Path | None = None) -> dict[str, Any]:
    """The first figure alone (``--only-loop``): chain5 run by ``flowrt run`` and the loop
    (and by the flowrt of the ``before`` tree), one after the other in each round, with
    every round's rates."""
    load_before = round(os.getloadavg()[0], 2)
    runs: dict[str, list[int]] = {"flowrt": [], "loop": [], "same": []}
    if before is not None:
        runs["before"] = []
    for _ in range(rounds):
        if before is not None:
            runs["before"].append(run_tree(before, n))
        runs["flowrt"].append(nodered_compare.run_flowrt("chain5", n)["rate"])
        runs["loop"].append(python_loop(n))
        runs["same"].append(python_loop_same(n))
    ratios = sorted(f / p for f, p in zip(runs["flowrt"], runs["loop"], strict=True))
    flowrt, loop = (round(statistics.median(runs[k])) for k in ("flowrt", "loop"))
    result = {"commit": bench_http._git("rev-parse", "--short", "HEAD"), "n": n,
              "load": [load_before, round(os.getloadavg()[0], 2)], "runs": runs,
              "figure": _figure("chain5 / a hand-written Python loop", flowrt / loop, 0.5,
                                AT_LEAST, f"{flowrt:,} against {loop:,} msgs/s; ratio per "
                                f"round {ratios[0]:.3f}..{ratios[-1]:.3f}")}
    same = round(statistics.median(runs["same"]))
    result["same"] = _figure("chain5 / a loop doing all the flow's nodes do", flowrt / same,
                             None, AT_LEAST, f"{flowrt:,} against {same:,} msgs/s (the loop "
                             f"at {same / loop:.2f}x the plain one)")
    if before is not None:
        then = round(statistics.median(runs["before"]))
        result["before"] = _figure("chain5 / a hand-written Python loop, before", then / loop,
                                   0.5, AT_LEAST, f"{then:,} against {loop:,} msgs/s")
    return result


PARTS = ("pipeline", "sinks", "workers")
"""The parts measured on the test servers, each of which ``--skip`` may leave out."""


def pipeline_figures(n: int) -> list[dict[str, Any]]:
    """The pipeline's two figures: msgs/s (nothing lost) and p99, flowrt over Node-RED."""
    import bench_pipeline

    return pipeline_verdict(bench_pipeline.run(bench_pipeline.arguments(
        ["--systems", "flowrt-mqtt5,nodered", "--n", str(n)])), n)


def pipeline_verdict(report: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """The two figures of a bench_pipeline report of ``flowrt-mqtt5`` and ``nodered``."""
    fl, nr = (report["systems"][k] for k in ("flowrt-mqtt5", "nodered"))
    ft, nt = fl["throughput"], nr["throughput"]
    rate = _figure(
        "pipeline msgs/s, nothing lost / Node-RED", ft["msgs_per_s"] / nt["msgs_per_s"], 5.0,
        AT_LEAST, f"{ft['msgs_per_s']:,.0f} against {nt['msgs_per_s']:,.0f} msgs/s; lost "
        f"{ft['lost']:,} and {nt['lost']:,} of {n:,}"
        + ("" if nt["complete"] else " (Node-RED's rate counts what arrived)"))
    if ft["lost"] or not ft["complete"]:
        rate["met"] = False
    fp, npct = fl["latency"]["p99_ms"], nr["latency"]["p99_ms"]
    p99 = _figure("pipeline p99, publish to row / Node-RED", fp / npct, 0.5, AT_MOST,
                  f"{fp:,.1f} against {npct:,.1f} ms at "
                  f"{report['settings']['latency_rate']:,.0f} msgs/s")
    return [rate, p99]


def sink_figures(points: int, rounds: int) -> list[dict[str, Any]]:
    """influx-out over the hand-written script, on each server bench_influx writes to."""
    import bench_influx

    rows = {what: value for what, value, _ in bench_influx.measure(points, 1000, rounds)}
    found = []
    for what, value in rows.items():
        if what.startswith("influx-out / script, "):
            server = what.removeprefix("influx-out / script, ")
            found.append(_figure(
                f"influx-out / a hand-written client, {server}", value, 0.9, AT_LEAST,
                f"{rows[f'influx-out -> {server}']:,.0f} against "
                f"{rows[f'Point + httpx script -> {server}']:,.0f} points/s"))
    return found


def worker_figure(messages: int, rounds: int) -> dict[str, Any]:
    """``--workers 2`` over ``--workers 1`` on bench_workers' CPU-bound flow (best of each)."""
    import bench_workers

    runs = bench_workers.measure(messages, 20_000, rounds)
    best = {n: max(r["rows_per_s"] for r in runs if r["workers"] == n) for n in (1, 2)}
    return _figure("flowrt run --workers 2 / --workers 1", best[2] / best[1], None, AT_LEAST,
                   f"{best[2]:,.0f} against {best[1]:,.0f} msgs/s, CPU-bound flow")


def measure(rounds: int, n: int, http_n: int, concurrency: int,
            skip: frozenset[str] = frozenset(), pipeline_n: int = 20_000,
            points: int = 20_000, worker_messages: int = 3000) -> dict[str, Any]:
    load_before = round(os.getloadavg()[0], 2)
    commit = bench_http._git("rev-parse", "--short", "HEAD")
    figures = []
    with tempfile.TemporaryDirectory(prefix="flowrt-compare-") as tmp:
        js_flow = bench_function.flowrt_flow("chain5", "function", Path(tmp))
        rates = _rounds(rounds, {
            "Node-RED": lambda: nodered_compare.run_nodered("chain5", n)["rate"],
            "flowrt (Python script)": lambda: nodered_compare.run_flowrt("chain5", n)["rate"],
            "Python loop": lambda: python_loop(n),
            "flowrt (JS, worker)": lambda: bench_function.run_flowrt(js_flow, n)["rate"],
            "flowrt (JS, inline)": lambda: bench_function.run_flowrt(js_flow, n,
                                                                     "inline")["rate"],
        })
    figures.append(_figure(
        "chain5 / a hand-written Python loop",
        rates["flowrt (Python script)"] / rates["Python loop"], 0.5, AT_LEAST,
        f"{rates['flowrt (Python script)']:,} against {rates['Python loop']:,} msgs/s"))
    for how in ("worker", "inline"):
        name = f"flowrt (JS, {how})"
        figures.append(_figure(
            f"chain5, JavaScript function ({how}) / Node-RED",
            rates[name] / rates["Node-RED"], 10.0, AT_LEAST,
            f"{rates[name]:,} against {rates['Node-RED']:,} msgs/s"))
    idle: dict[str, list[dict[str, int]]] = {"Node-RED": [], "flowrt": []}
    for r in range(rounds):
        order = ["Node-RED", "flowrt"] if r % 2 == 0 else ["flowrt", "Node-RED"]
        for who in order:
            idle[who].append(nodered_compare.idle_nodered() if who == "Node-RED"
                             else nodered_compare.idle_flowrt())
    start = {who: statistics.median(x["startup_ms"] for x in runs) for who, runs in idle.items()}
    rss = {who: statistics.median(x["rss"] for x in runs) for who, runs in idle.items()}
    figures.append(_figure(
        "start-up / Node-RED", start["flowrt"] / start["Node-RED"], 0.35, AT_MOST,
        f"{start['flowrt']:,.0f} against {start['Node-RED']:,.0f} ms"))
    figures.append(_figure(
        "idle RSS / Node-RED", rss["flowrt"] / rss["Node-RED"], 0.5, AT_MOST,
        f"{rss['flowrt']:,.0f} against {rss['Node-RED']:,.0f} MB"))
    http = bench_http.measure(http_n, concurrency, rounds, warmup=20)
    nr, fl = http["systems"]["Node-RED"], http["systems"]["flowrt"]
    figures.append(_figure(
        "HTTP requests/s / Node-RED", http["ratios"]["flowrt"]["requests_per_s"], None,
        AT_LEAST, f"{fl['requests_per_s']:,.0f} against {nr['requests_per_s']:,.0f} req/s; "
        f"p99 {fl['p99_ms']:.1f} against {nr['p99_ms']:.1f} ms"))
    if "pipeline" not in skip:
        figures += pipeline_figures(pipeline_n)
    if "sinks" not in skip:
        figures += sink_figures(points, max(rounds, 3))
    if "workers" not in skip:
        figures.append(worker_figure(worker_messages, rounds))
    return {
        "commit": commit,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"cores": os.cpu_count(), "load_before": load_before,
                    "load_after": round(os.getloadavg()[0], 2)},
        "settings": {"rounds": rounds, "n": n, "http_n": http_n, "concurrency": concurrency,
                     "skip": sorted(skip), "pipeline_n": pipeline_n, "points": points,
                     "worker_messages": worker_messages},
        "rates": rates, "figures": figures,
    }


def table(report: dict[str, Any]) -> str:
    s, m = report["settings"], report["machine"]
    lines = [
        f"commit {report['commit']}, {report['date']}; {m['cores']} cores, load "
        f"{m['load_before']:.1f} -> {m['load_after']:.1f}; {s['rounds']} round(s), chain5 "
        f"N={s['n']:,}, HTTP N={s['http_n']:,} on {s['concurrency']} connections"
        + "".join(f"; {label}{s[key]:,}" for key, label in (
            ("pipeline_n", "pipeline N="), ("points", "sink points="),
            ("worker_messages", "--workers messages=")) if key in s)
        + (f"; skipped: {', '.join(s['skip'])}" if s.get("skip") else ""),
        "",
        "| figure | measured | goal | met | from |",
        "|---|---:|---:|---|---|",
    ]
    for f in report["figures"]:
        goal = "none set" if f["goal"] is None else f"{f['sense']} {f['goal']:g}x"
        met = "-" if f["met"] is None else ("met" if f["met"] else "NOT met")
        lines.append(f"| {f['figure']} | {f['measured']:.2f}x | {goal} | {met} | "
                     f"{f['detail']} |")
    return "\n".join(lines)


def _parts(text: str) -> frozenset[str]:
    parts = frozenset(p.strip() for p in text.split(",") if p.strip())
    unknown = parts - set(PARTS)
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown part(s) {', '.join(sorted(unknown))}: the parts are {', '.join(PARTS)}")
    return parts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--n", type=int, default=20_000, help="chain5 messages per run")
    parser.add_argument("--http-n", type=int, default=1000, help="HTTP requests per round")
    parser.add_argument("--concurrency", type=int, default=8, help="HTTP connections")
    parser.add_argument("--pipeline-n", type=int, default=20_000,
                        help="messages of the pipeline's throughput run")
    parser.add_argument("--points", type=int, default=20_000,
                        help="points of each sink run")
    parser.add_argument("--worker-messages", type=int, default=3000,
                        help="messages of each --workers run")
    parser.add_argument("--skip", type=_parts, default=frozenset(),
                        help=f"leave out these parts, comma-separated: {', '.join(PARTS)}")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--only-loop", action="store_true",
                        help="measure only chain5 against the hand-written loop")
    parser.add_argument("--before", type=Path, metavar="TREE",
                        help="with --only-loop: also run chain5 with the flowrt of this "
                        "source tree (another commit's checkout), in the same rounds")
    args = parser.parse_args(argv)
    if args.only_loop:
        result = measure_loop(args.rounds, args.n, args.before)
        if args.json:
            print(json.dumps(result, indent=2))
            return
        print(f"commit {result['commit']}, N={args.n:,}, {args.rounds} round(s), load "
              f"{result['load'][0]} -> {result['load'][1]}")
        for key in ("before", "figure", "same"):
            if key in result:
                f = result[key]
                goal = "no goal" if f["goal"] is None else f"goal >= {f['goal']:g}x"
                print(f"{f['figure']}: {f['measured']:.3f}x ({goal}): {f['detail']}")
        return
    report = measure(args.rounds, args.n, args.http_n, args.concurrency, args.skip,
                     args.pipeline_n, args.points, args.worker_messages)
    print(json.dumps(report, indent=2) if args.json else table(report))


if __name__ == "__main__":
    main()
