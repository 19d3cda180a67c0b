"""The dashboard against node-red-dashboard: one flow, served by both, read by the same clients.

    python benchmarks/bench_dashboard.py            # 200 widgets, 10 Hz, 20 clients, 20 s
    python benchmarks/bench_dashboard.py --widgets 50 --clients 5 --seconds 10 --json
    python benchmarks/bench_dashboard.py --systems flowrt
    python benchmarks/bench_dashboard.py --browser 10  # then a Chromium page on each, 10 s

The flow is written once, as Node-RED nodes: an ``inject`` of the time every 1/``--hz`` s into a
``function`` per group of ten widgets (``ui_text`` and ``ui_gauge`` in turn), with one output per
widget, each sending it the tick's time as ``msg.payload``. Node-RED 4
with node-red-dashboard 3.6 (tests/nodered/contrib.py installs it from npm on first use) runs
those nodes; flowrt runs them as ``flowrt import nodered`` converts them, with ``flowrt run
FOLDER --http``. One server runs at a time, so the other does not take CPU from it.

Clients (benchmarks/dashboard_wire.py): ``--clients`` WebSockets that read what a browser's page
is sent, flowrt's ``/dashboard/ws`` and node-red-dashboard's socket.io (polling handshake, then
WebSocket, as its page does), plus one *slow* client that stops reading for
``--slow-seconds`` a second into the window. After ``--warmup`` s, for ``--seconds`` s:

- **server CPU per update**: user + system time of the server's processes (``/proc/PID/stat``)
  over the window, divided by the updates the flow made (ticks seen by any client x widgets);
  the same with no client connected first, for ``--baseline`` s (what the flow costs alone);
- **latency**: receipt time minus the stamp, for every value every client got, p50 and p99;
- **bytes per second per client**: every byte read from the socket, frame headers included;
- **the slow client**: the server's resident memory before and at most during its stall, the
  bytes the kernel holds to send it (``tx_queue`` in /proc/net/tcp), and, once it reads again,
  the age of the first value it gets, the bytes and time until it gets a current one (age under
  200 ms): a queued backlog is the whole stall, late; coalesced values are the latest.

With ``--browser SECONDS``, then one Chromium page per system (benchmarks/dashboard_browser.py:
node-red-dashboard's at ``/ui/``, flowrt's at ``/dashboard/`` of a ``flowrt serve`` of the same
flow, as ``flowrt run`` serves no page), with no other client: the time from the stamp to the
text widgets' DOM change, p50 and p99, and the time between animation frames.

Goals (issue 16): >= 3x fewer server CPU seconds per update than node-red-dashboard, p99 under
100 ms, and a slow client gets the latest values, not a backlog (here: the first value it gets
after the stall is younger than half the stall). How fast the clients
themselves read counts in the latencies of both (they share the two cores): their CPU is shown.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from dashboard_browser import page_figures  # noqa: E402
from dashboard_report import goals, table  # noqa: E402
from dashboard_wire import Wire, flowrt_entries, nodered_entries, socketio_connect  # noqa: E402
from proc_usage import child_pid, cpu_seconds, rss_mb, send_queue  # noqa: E402

from flowrt.nodered import convert, read_data  # noqa: E402
from flowrt.nodered.writer import render  # noqa: E402
from tests.nodered.contrib import contrib_modules, version  # noqa: E402
from tests.nodered.helpers import nodered_home  # noqa: E402
from tests.nodered.live import flowrt_serving, nodered_serving  # noqa: E402
from tests.support.serving import serve_process  # noqa: E402

PACKAGE = "node-red-dashboard"
SYSTEMS = ("flowrt", "Node-RED")
PAGE_WARMUP = 5.0
"""Seconds the Chromium page has to load and settle before it is measured."""
CURRENT_MS = 200.0
"""A value younger than this is current (the slow client has caught up)."""


def build_nodes(widgets: int, hz: float) -> list[dict[str, Any]]:
    """The flow as Node-RED nodes (flowrt imports the same list)."""
    z, per = "t1", 10
    nodes: list[dict[str, Any]] = [
        {"id": z, "type": "tab", "label": "Dashboard benchmark"},
        {"id": "base", "type": "ui_base", "theme": {"name": "theme-light"},
         "site": {"name": "Bench", "sizes": {"sx": 48, "sy": 48, "gx": 6, "gy": 6, "cx": 6,
                                             "cy": 6, "px": 0, "py": 0}}},
        {"id": "home", "type": "ui_tab", "name": "Home", "icon": "dashboard", "order": 1,
         "disabled": False, "hidden": False},
    ]
    nodes += [{"id": f"g{g}", "type": "ui_group", "name": f"Group {g}", "tab": "home",
               "order": g + 1, "disp": True, "width": "6", "collapse": False, "className": ""}
              for g in range((widgets + per - 1) // per)]
    ids = [f"w{i}" for i in range(widgets)]
    for i, wid in enumerate(ids):
        common = {"id": wid, "z": z, "name": "", "group": f"g{i // per}", "order": i % per + 1,
                  "width": 3, "height": 1, "className": "", "x": 500, "y": 20 * i,
                  "wires": []}
        if i % 2 == 0:
            nodes.append({**common, "type": "ui_text", "label": f"text {i}",
                          "format": "{{msg.payload}}", "layout": "row-spread"})
        else:
            nodes.append({**common, "type": "ui_gauge", "gtype": "gage", "title": f"gauge {i}",
                          "label": "ms", "format": "{{value}}", "min": 0, "max": 10,
                          "colors": ["#00b500", "#e6e600", "#ca3838"], "seg1": "",
                          "seg2": "", "height": 2})
    groups = range((widgets + per - 1) // per)
    code = ("const t = msg.payload;  // the tick's time\nconst out = [];\n"
            "for (let i = 0; i < {n}; i++) {{ out.push({{payload: t}}); }}\nreturn out;")
    nodes.append({"id": "tick", "type": "inject", "z": z, "props": [{"p": "payload"}],
                  "repeat": f"{1 / hz:g}", "crontab": "", "once": True, "onceDelay": 0.1,
                  "topic": "", "payload": "", "payloadType": "date", "x": 100, "y": 20,
                  "wires": [[f"values{g}" for g in groups]]})
    for g in groups:  # a function per group: flowrt's have at most 100 outputs
        wired = ids[g * per:(g + 1) * per]
        nodes.append({"id": f"values{g}", "type": "function", "z": z, "name": f"values {g}",
                      "func": code.format(n=len(wired)), "outputs": len(wired), "noerr": 0,
                      "initialize": "", "finalize": "", "libs": [], "x": 300, "y": 20 * g,
                      "wires": [[w] for w in wired]})
    nodes += [
        {"id": "ready", "type": "http in", "z": z, "url": "/ready", "method": "get",
         "upload": False, "swaggerDoc": "", "wires": [["ready-answer"]]},
        {"id": "ready-answer", "type": "http response", "z": z, "statusCode": "",
         "headers": {}, "wires": []},
    ]
    return nodes


# --- the servers ---------------------------------------------------------------------------

@contextmanager
def serving(system: str, nodes: list[dict[str, Any]], work: Path) -> Iterator[tuple[int, int]]:
    """The server of ``system`` running ``nodes``: (port, pid)."""
    work.mkdir(parents=True, exist_ok=True)
    if system == "Node-RED":
        modules = contrib_modules(PACKAGE)
        (work / "nr-user").mkdir(exist_ok=True)
        (work / "nr-user" / "node_modules").symlink_to(modules, target_is_directory=True)
        context, marker = nodered_serving(nodes, nodered_home(), work, ready="/ready"), "node-red"
    else:
        unsupported = [d for d in convert(read_data(nodes), {}, "flows.json").report.diagnostics
                       if "unsupported" in d or " error " in d]
        if unsupported:
            raise SystemExit("flowrt does not import the flow as it is:\n" +
                             "\n".join(unsupported))
        context, marker = flowrt_serving(nodes, work, ready="/ready"), "flowrt"
    with context as url:
        yield int(url.rsplit(":", 1)[1]), child_pid(marker)


@contextmanager
def page_serving(nodes: list[dict[str, Any]], work: Path) -> Iterator[str]:
    """``flowrt serve`` on the imported flow (``flowrt run`` serves the WebSocket, not the
    page); its base url."""
    flows = work / "flows"
    flows.mkdir(parents=True)
    for flow in convert(read_data(nodes), {}, "flows.json").flows:
        (flows / flow.file).write_text(render(flow))
    with serve_process(flows, "--host", "127.0.0.1") as served:
        yield served.url


# --- the clients -------------------------------------------------------------------------

@dataclass
class Window:
    start: float = float("inf")
    end: float = float("inf")
    """Wall-clock ms: values received between them are counted."""
    stamps: set[float] = field(default_factory=set)
    """The stamps (one per tick of the flow) seen by any client in the window."""


@dataclass
class Reader:
    latencies: array[float] = field(default_factory=lambda: array("d"))
    values: int = 0
    stall: tuple[float, float] | None = None
    """For the slow client: when (wall-clock ms) to stop reading, and for how long (s)."""
    resumed: float = 0.0
    first_age: float | None = None
    caught_up: float | None = None
    backlog: int = 0
    at_resume: int = 0


async def read(wire: Wire, entries: Callable[[bytes], list[tuple[str, Any]]], reader: Reader,
               window: Window, nodered: bool, acks: bool) -> None:
    async for frames in wire.chunks():
        now = time.time() * 1000
        if reader.resumed and reader.caught_up is None:
            for _, payload in frames:
                for _, value in entries(payload):
                    age = now - float(value)
                    if reader.first_age is None:
                        reader.first_age = age
                    if age < CURRENT_MS:
                        reader.caught_up = now - reader.resumed
                        reader.backlog = wire.received - reader.at_resume
                        break
                if reader.caught_up is not None:
                    break
        counting = window.start <= now < window.end and reader.stall is None
        for _, payload in frames:
            if nodered and payload == b"2":
                wire.send("3")  # engine.io's heartbeat
                continue
            if not counting:
                continue
            for _, value in entries(payload):
                stamp = float(value)
                reader.latencies.append(now - stamp)
                window.stamps.add(stamp)
                reader.values += 1
        if acks:  # each update frame shown (dashboard_hub.py: at most MAX_UNACKED ahead)
            for _ in range(sum(payload.startswith(b'{"t":"update"') for _, payload in frames)):
                wire.send('{"t":"ack"}')
        if reader.stall is not None and now >= reader.stall[0]:
            await asyncio.sleep(reader.stall[1])
            reader.resumed = time.time() * 1000
            reader.at_resume = wire.received
            reader.stall = (float("inf"), 0.0)


async def connect(system: str, port: int, small: bool = False) -> Wire:
    if system == "Node-RED":
        return await socketio_connect(port, small_buffers=small)
    return await Wire.connect(port, "/dashboard/ws", small)


def _pct(values: array[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else -1.0


async def measure_system(system: str, port: int, pid: int, args: argparse.Namespace
                         ) -> dict[str, Any]:
    await asyncio.sleep(1.0)
    cpu0, t0 = cpu_seconds(pid), time.monotonic()
    await asyncio.sleep(args.baseline)
    baseline_cpu, baseline_s = cpu_seconds(pid) - cpu0, time.monotonic() - t0
    window = Window()
    nodered = system == "Node-RED"
    entries = nodered_entries if nodered else flowrt_entries
    wires = [await connect(system, port) for _ in range(args.clients)]
    slow_wire = await connect(system, port, small=True)
    readers = [Reader() for _ in wires]
    slow = Reader(stall=(float("inf"), args.slow_seconds))
    acks = args.acks and not nodered
    tasks = [asyncio.create_task(read(w, entries, r, window, nodered, acks))
             for w, r in zip([*wires, slow_wire], [*readers, slow], strict=True)]
    await asyncio.sleep(args.warmup)
    mine0 = os.times()
    cpu0, got0 = cpu_seconds(pid), [w.received for w in wires]
    window.start = time.time() * 1000
    window.end = window.start + args.seconds * 1000
    slow.stall = (window.start + 1000, args.slow_seconds)
    rss_before = rss_peak = rss_mb(pid)
    queued = 0
    slow_port = slow_wire.writer.get_extra_info("sockname")[1]
    while time.time() * 1000 < window.end:
        await asyncio.sleep(0.25)
        if not slow.resumed:
            rss_peak = max(rss_peak, rss_mb(pid))
            queued = max(queued, send_queue(port, slow_port))
    cpu = cpu_seconds(pid) - cpu0
    got = [w.received - g for w, g in zip(wires, got0, strict=True)]
    mine = os.times()
    deadline = time.monotonic() + 15
    while slow.caught_up is None and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    for task in tasks:
        task.cancel()
    for w in [*wires, slow_wire]:
        w.close()
    latencies = array("d", (x for r in readers for x in r.latencies))
    if not latencies:
        raise SystemExit(f"{system}: no client received a value in the window")
    updates = len(window.stamps) * args.widgets
    made = args.widgets * args.hz * args.seconds
    return {
        "updates": updates,
        "updates_expected": round(made),
        "cpu_s": round(cpu, 3),
        "cpu_ms_per_1000_updates": round(cpu / max(updates, 1) * 1e6, 3),
        "cpu_percent": round(cpu / args.seconds * 100, 1),
        "baseline_cpu_ms_per_1000_updates": round(
            baseline_cpu / (args.widgets * args.hz * baseline_s) * 1e6, 3),
        "p50_ms": _pct(latencies, 0.50),
        "p99_ms": _pct(latencies, 0.99),
        "values": len(latencies),
        "values_per_s_per_client": round(
            statistics.mean(r.values for r in readers) / args.seconds, 1),
        "bytes_per_s_per_client": round(statistics.mean(got) / args.seconds),
        "clients_cpu_percent": round(
            (mine.user + mine.system - mine0.user - mine0.system) / args.seconds * 100, 1),
        "slow": {"rss_before_mb": round(rss_before, 1), "rss_peak_mb": round(rss_peak, 1),
                 "kernel_queue_bytes": queued,
                 "first_age_ms": None if slow.first_age is None else round(slow.first_age),
                 "caught_up_ms": None if slow.caught_up is None else round(slow.caught_up),
                 "backlog_bytes": slow.backlog if slow.caught_up is not None else None},
    }


# --- the report --------------------------------------------------------------------------

def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()


def measure(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {
        "commit": _git("rev-parse", "--short", "HEAD"),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"cores": os.cpu_count(), "load_before": round(os.getloadavg()[0], 2),
                    "python": platform.python_version()},
        "settings": {k: getattr(args, k) for k in ("widgets", "hz", "clients", "seconds",
                                                   "warmup", "baseline", "slow_seconds",
                                                   "acks", "browser")},
        "systems": {},
    }
    nodes = build_nodes(args.widgets, args.hz)
    with tempfile.TemporaryDirectory(prefix="flowrt-dashboard-") as tmp:
        for system in args.systems:
            work = Path(tmp) / system
            with ExitStack() as stack:
                port, pid = stack.enter_context(serving(system, nodes, work))
                report["systems"][system] = run = asyncio.run(measure_system(system, port, pid,
                                                                             args))
                if args.browser and system == "Node-RED":
                    run["page"] = asyncio.run(page_figures(
                        f"http://127.0.0.1:{port}/ui/", PAGE_WARMUP, args.browser))
            if args.browser and system == "flowrt":  # the page is served by flowrt serve
                with page_serving(nodes, work / "page") as url:
                    run["page"] = asyncio.run(page_figures(f"{url}/dashboard/", PAGE_WARMUP,
                                                           args.browser))
    if "Node-RED" in report["systems"]:
        report["node_red_dashboard"] = version(PACKAGE)
    report["machine"]["load_after"] = round(os.getloadavg()[0], 2)
    report["goals"] = goals(report["systems"], args.slow_seconds)
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--widgets", type=int, default=200)
    parser.add_argument("--hz", type=float, default=10.0, help="updates per widget per second")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0, help="the measured window")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--baseline", type=float, default=5.0,
                        help="seconds measured with no client first")
    parser.add_argument("--slow-seconds", type=float, default=5.0)
    parser.add_argument("--acks", action="store_true",
                        help="flowrt's clients acknowledge each update frame ({t: ack}): the hub "
                             "then sends none more than 2 frames ahead")
    parser.add_argument("--browser", type=float, default=0.0, metavar="SECONDS",
                        help="then measure one Chromium page for SECONDS (0: none)")
    parser.add_argument("--systems", nargs="+", choices=SYSTEMS, default=list(SYSTEMS))
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if min(args.widgets, args.clients) < 1 or min(args.hz, args.seconds, args.baseline) <= 0:
        parser.error("--widgets, --clients, --hz, --seconds and --baseline must be positive")
    if args.seconds < args.slow_seconds + 2:
        parser.error("--seconds must be at least --slow-seconds + 2 (the stall starts at 1 s)")
    report = measure(args)
    print(json.dumps(report, indent=2) if args.json else table(report))


if __name__ == "__main__":
    main()
