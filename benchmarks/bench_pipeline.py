"""The pipeline flowrt exists for, end to end against real servers, side by side with Node-RED.

    python benchmarks/bench_pipeline.py                      # every system: throughput, latency
    python benchmarks/bench_pipeline.py --systems flowrt,nodered --n 20000
    python benchmarks/bench_pipeline.py --systems flowrt --rate 1.5x --kill9
    python benchmarks/bench_pipeline.py --quick --json       # small N, for a test
    python benchmarks/bench_pipeline.py --at HEAD            # flowrt as committed, not as edited

The flow: Mosquitto -> mqtt-in (QoS 1) -> json -> function -> switch -> change (JSONata) ->
influx-out (InfluxDB 1.x) and postgres-out (PostgreSQL). flowrt runs it as ``flowrt run`` on
``benchmarks/flows/pipeline-*.yaml``; Node-RED 4.1 (installed from the npm registry into
``$NR_HOME``, default /tmp/nrbench4) runs the same nodes (see ``pipeline/nodered.py``).
Systems (``--systems``, comma-separated):

- ``flowrt``: as above, the function node in JavaScript;
- ``flowrt-py``: the function step as a ``script`` node (Python);
- ``flowrt-amqp``: amqp-in (RabbitMQ, a durable queue, the default prefetch) for mqtt-in;
- ``nodered``: Node-RED's stock nodes, one write per message;
- ``nodered-batch``: Node-RED with a join node batching the writes (500 or 0.2 s).

The broker is a private Mosquitto on a free port, configured as Debian ships it (persistence
on, the per-client limits at their defaults: 20 messages in flight, 1,000 queued, beyond which
it drops QoS 1 messages for that client); ``--nodelay`` adds ``set_tcp_nodelay true``.
PostgreSQL and InfluxDB are the shared test servers (``FLOWRT_TEST_POSTGRES``,
``FLOWRT_TEST_INFLUX_V1``), with a fresh table and database per run; RabbitMQ is
``FLOWRT_TEST_AMQP``. How each figure is measured is in ``pipeline/measure.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # tests.support

from pipeline import measure, nodered  # noqa: E402
from pipeline.stores import Mosquitto  # noqa: E402
from pipeline.systems import ROOT, SYSTEMS, System  # noqa: E402

QUICK = {"n": 5000, "latency_seconds": 3.0, "latency_rate": 200.0, "stall": 5.0}


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip()


def _mosquitto_version() -> str:
    done = subprocess.run(["mosquitto", "-h"], capture_output=True, text=True)
    first = (done.stdout or done.stderr).splitlines()
    return first[0] if first else "mosquitto"


def parse_rate(text: str | None) -> tuple[float | None, float | None]:
    """``1.5x`` -> (None, 1.5): a factor of the measured throughput; ``3000`` -> (3000, None)."""
    if not text:
        return None, None
    if text.endswith("x"):
        return None, float(text[:-1])
    return float(text), None


def run(args: argparse.Namespace) -> dict[str, Any]:
    names = args.systems
    for name in names:
        if name not in SYSTEMS:
            raise SystemExit(f"unknown system {name!r}; known: {', '.join(SYSTEMS)}")
    if any(SYSTEMS[n].engine == "nodered" for n in names) and not nodered.installed():
        if args.no_install:
            raise SystemExit(f"Node-RED is not installed in {nodered.NR_HOME}: leave its "
                             "systems out, or let this script install it (no --no-install)")
        print(f"installing {', '.join(nodered.PACKAGES)} into {nodered.NR_HOME}",
              file=sys.stderr)
        nodered.install()
    tree = ROOT
    if args.at:
        tree = Path(tempfile.mkdtemp(prefix="flowrt-pipeline-tree-"))
        archive = subprocess.run(["git", "archive", args.at], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    try:
        return _run(args, names, tree)
    finally:
        if tree != ROOT:
            shutil.rmtree(tree, ignore_errors=True)


def _run(args: argparse.Namespace, names: list[str], tree: Path) -> dict[str, Any]:
    absolute, factor = parse_rate(args.rate)
    report: dict[str, Any] = {
        "commit": _git("rev-parse", "--short", args.at or "HEAD"),
        "dirty": not args.at and bool(_git("status", "--porcelain", "--untracked-files=no")),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"cores": os.cpu_count(), "load_before": os.getloadavg()[0],
                    "python": platform.python_version()},
        "settings": {
            "n": args.n, "latency_rate": args.latency_rate,
            "latency_seconds": args.latency_seconds, "nodelay": args.nodelay,
            "rate": args.rate, "kill9": args.kill9, "broker": _mosquitto_version(),
            "nodered": nodered.version() if nodered.installed() else None,
        },
        "systems": {},
    }
    broker = Mosquitto(nodelay=args.nodelay)
    settings = measure.Settings(broker=broker, stall=args.stall, timeout=args.timeout,
                                paho_burst=args.paho_burst)
    try:
        for name in names:
            system = SYSTEMS[name](tree)
            try:
                report["systems"][name] = _measure(system, settings, args, absolute, factor)
            finally:
                system.close()
    finally:
        broker.close()
    report["machine"]["load_after"] = os.getloadavg()[0]
    report["ratios"] = ratios(report["systems"])
    return report


def _measure(
    system: System, settings: measure.Settings, args: argparse.Namespace,
    absolute: float | None, factor: float | None,
) -> dict[str, Any]:
    """The runs of one system that the arguments ask for."""
    name = system.name
    entry: dict[str, Any] = {"label": system.label, "engine": system.engine}
    if not args.no_throughput:
        entry["throughput"] = measure.throughput(system, settings, args.n)
        _progress(name, "throughput", entry["throughput"])
    if not args.no_latency:
        entry["latency"] = measure.latency(
            system, settings, args.latency_rate, args.latency_seconds)
        _progress(name, "latency", entry["latency"])
    if args.rate or args.kill9:
        rate = absolute
        if rate is None:
            if "throughput" not in entry:
                raise SystemExit("--rate Nx needs the throughput run")
            rate = (factor or 1.5) * entry["throughput"]["msgs_per_s"]
        entry["loss"] = measure.loss(system, settings, args.loss_n or args.n, rate, args.kill9)
        _progress(name, "loss", entry["loss"])
    return entry


def _progress(name: str, what: str, result: dict[str, Any]) -> None:
    print(f"  {name:14} {what:10} " + " ".join(
        f"{k}={v}" for k, v in result.items() if k != "output"), file=sys.stderr, flush=True)


def ratios(systems: dict[str, Any]) -> list[dict[str, Any]]:
    """flowrt / Node-RED for each pair that ran: msgs/s, p50, p99 and peak RSS; ``incomplete``
    names the figures where either run ended with messages missing."""
    found = []
    for fname, fr in systems.items():
        if fr["engine"] != "flowrt":
            continue
        for nname, nr in systems.items():
            if nr["engine"] != "nodered":
                continue
            pair: dict[str, Any] = {"flowrt": fname, "nodered": nname, "incomplete": []}
            for run_, key in (("throughput", "msgs_per_s"), ("latency", "p50_ms"),
                              ("latency", "p99_ms"), ("throughput", "peak_rss_mb")):
                a, b = fr.get(run_, {}).get(key), nr.get(run_, {}).get(key)
                if a is not None and b:
                    pair[key] = float(f"{a / b:.3g}")
                    if not (fr[run_]["complete"] and nr[run_]["complete"]):
                        pair["incomplete"].append(key)
            found.append(pair)
    return found


def _cell(d: dict[str, Any], key: str, width: int, fmt: str = ",.0f") -> str:
    value = d.get(key)
    return f"{value:>{width}{fmt}}" if value is not None else f"{'-':>{width}}"


def table(report: dict[str, Any]) -> str:
    s = report["settings"]
    lines = [
        f"pipeline: {s['n']:,} messages as fast as the broker takes them; latency at "
        f"{s['latency_rate']:,.0f} msg/s for {s['latency_seconds']:g} s; {s['broker']}"
        f"{' (set_tcp_nodelay)' if s['nodelay'] else ' (stock limits)'}; commit "
        f"{report['commit']}{' (with changes)' if report['dirty'] else ''}; "
        f"{report['machine']['cores']} cores, load {report['machine']['load_before']:.1f}",
    ]
    if any("throughput" in e or "latency" in e for e in report["systems"].values()):
        lines += [
            "",
            f"{'':40} {'throughput run':^38}  {'latency run':^24}",
            f"{'system':40} {'msg/s':>8} {'lost':>7} {'dropped':>7} {'dup':>5} {'RSS MB':>7}"
            f"  {'p50 ms':>8} {'p99 ms':>8} {'lost':>6}",
        ]
    for entry in report["systems"].values():
        t, lat = entry.get("throughput", {}), entry.get("latency", {})
        if not t and not lat:
            continue
        flag = "" if t.get("complete", True) and lat.get("complete", True) else " *"
        lines.append(
            f"{entry['label']:40} {_cell(t, 'msgs_per_s', 8)} {_cell(t, 'lost', 7)} "
            f"{_cell(t, 'broker_dropped', 7)} {_cell(t, 'duplicates', 5)} "
            f"{_cell(t, 'peak_rss_mb', 7)}  {_cell(lat, 'p50_ms', 8, ',.1f')} "
            f"{_cell(lat, 'p99_ms', 8, ',.1f')} {_cell(lat, 'lost', 6)}{flag}"
        )
    losses = [(e["label"], e["loss"]) for e in report["systems"].values() if "loss" in e]
    if losses:
        lines += ["", f"{'loss run':40} {'rate':>8} {'lost':>7} {'dropped':>7} {'dup':>5} "
                  f"{'unacked':>7} {'killed':>7}"]
        for label, lr in losses:
            bound = lr.get("journal_at_kill", lr["unacknowledged_window"])
            mark = "j" if "journal_at_kill" in lr else " "
            lines.append(f"{label:40} {lr['rate']:>8,.0f} {lr['lost']:>7,} "
                         f"{_cell(lr, 'broker_dropped', 7)} {lr['duplicates']:>5,} "
                         f"{bound:>6,}{mark} {'yes' if lr['killed'] else 'no':>7}")
        lines.append("unacked: what a kill may duplicate: the source's window, or (j) what its "
                     "journal held unfinished when it died")
    if any(e.get(run_, {}).get("complete") is False for e in report["systems"].values()
           for run_ in ("throughput", "latency", "loss")):
        lines.append("* a run ended with messages missing (stalled or timed out): its msg/s "
                     "counts those that arrived, and ratios from it are marked")
    if any(len(pair) > 3 for pair in report["ratios"]):
        lines += ["", f"{'flowrt / Node-RED':40} {'msg/s':>8}  {'p50':>8}  {'p99':>8}  "
                  f"{'RSS':>8}"]
        for pair in report["ratios"]:
            cells = " ".join(
                (f"{pair[k]:>7.3g}x" + ("*" if k in pair["incomplete"] else " "))
                if k in pair else f"{'-':>8} "
                for k in ("msgs_per_s", "p50_ms", "p99_ms", "peak_rss_mb"))
            lines.append(f"{pair['flowrt'] + ' / ' + pair['nodered']:40} {cells}")
    return "\n".join(lines)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--systems", type=lambda s: [x for x in s.split(",") if x],
                        help=f"comma-separated, of: {', '.join(SYSTEMS)} (default: all; "
                        "with --quick: flowrt, and nodered if installed)")
    parser.add_argument("--n", type=int, help="messages of the throughput run (50,000)")
    parser.add_argument("--latency-rate", type=float, help="msg/s of the latency run (1,000)")
    parser.add_argument("--latency-seconds", type=float, help="measured seconds (10)")
    parser.add_argument("--rate", help="add a loss run at this rate: msg/s, or NNx of the "
                        "system's measured throughput (1.5x)")
    parser.add_argument("--kill9", action="store_true", help="in the loss run, SIGKILL the "
                        "system once half are published and start it again (rate 1.5x unless "
                        "--rate)")
    parser.add_argument("--loss-n", type=int, help="messages of the loss run (default --n)")
    parser.add_argument("--paho-burst", action="store_true", help="publish the throughput "
                        "run's MQTT messages with paho, not mosquitto_pub (which is five times "
                        "as fast: with paho, the publisher sets the rate above 7,000 msg/s)")
    parser.add_argument("--no-throughput", action="store_true")
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--nodelay", action="store_true",
                        help="the broker with set_tcp_nodelay true (not Debian's default)")
    parser.add_argument("--no-install", action="store_true", help="never npm install "
                        "Node-RED and its nodes into $NR_HOME (default: when missing)")
    parser.add_argument("--stall", type=float, help="seconds without progress that end a "
                        "run (20)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds a run may take")
    parser.add_argument("--at", metavar="REV", help="run flowrt as committed at REV (exported "
                        "with git archive), not the working tree")
    parser.add_argument("--quick", action="store_true", help="small runs, for a test")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.no_throughput and (args.kill9 and not args.rate or (args.rate or "").endswith("x")):
        parser.error("a rate relative to the throughput (--rate NNx, or --kill9 alone) needs "
                     "the throughput run: give --rate in msg/s with --no-throughput")
    defaults = {"n": 50_000, "latency_seconds": 10.0, "latency_rate": 1000.0, "stall": 20.0}
    if args.quick:
        defaults.update(QUICK)
    for key, value in defaults.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.systems is None:
        args.systems = list(SYSTEMS)
        if args.quick:
            args.systems = ["flowrt"] + (["nodered"] if nodered.installed() else [])
    return args


def main(argv: list[str] | None = None) -> None:
    args = arguments(argv)
    report = run(args)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(table(report))


if __name__ == "__main__":
    main()
