"""HTTP requests against real Node-RED: one flow, served by both, driven by one client.

    python benchmarks/bench_http.py                      # N=2,000, 8 connections, 3 rounds
    python benchmarks/bench_http.py --n 500 --concurrency 4 --rounds 1 --json
    python benchmarks/bench_http.py --before f09a8a0^    # also flowrt as committed at a revision

The flow is written as Node-RED nodes: ``http in`` (POST /echo) -> ``change`` (set
``payload.seen`` to true) -> ``http response``, plus ``http in`` (GET /ready) -> ``http
response`` so a start can be awaited. Node-RED 4 (tests/nodered/helpers.py installs it) runs
those nodes; flowrt runs them as ``flowrt import nodered`` converts them, with ``flowrt run
FOLDER --http``. Both listen on free ports of 127.0.0.1.

The client is the same for both: ``--concurrency`` kept-alive connections on one asyncio loop
(plain HTTP/1.1 over streams, so the client costs little next to the servers), each sending a
JSON body and awaiting the answer before the next. Every connection first sends warm-up
requests, then the connections share ``--n`` requests. Each round runs every system in turn,
starting with a different one each round, so noise on the shared machine hits all. Reports the
median requests/s over the rounds, p50 and p99 latency over all measured requests, and
flowrt / Node-RED (rate: higher is better; latency: lower is better).

``--before REV`` adds flowrt as committed at REV (``git archive`` into a temporary folder, run
from there with ``PYTHONPATH`` pointing at it), e.g. ``f09a8a0^``, before the HTTP servers turned
Nagle's algorithm off. The same by hand: ``git worktree add /tmp/old f09a8a0^`` and run
``flowrt run`` from /tmp/old with ``PYTHONPATH=/tmp/old``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flowrt.nodered import convert, read_data  # noqa: E402
from flowrt.nodered.writer import render  # noqa: E402
from tests.nodered.helpers import nodered_home  # noqa: E402
from tests.nodered.live import nodered_serving  # noqa: E402
from tests.support.servers import free_port  # noqa: E402

NODES: list[dict[str, Any]] = [
    {"id": "t1", "type": "tab", "label": "HTTP echo"},
    {"id": "echo", "type": "http in", "z": "t1", "url": "/echo", "method": "post",
     "upload": False, "swaggerDoc": "", "wires": [["seen"]]},
    {"id": "seen", "type": "change", "z": "t1", "action": "", "property": "", "from": "",
     "to": "", "reg": False,
     "rules": [{"t": "set", "p": "payload.seen", "pt": "msg", "to": "true", "tot": "bool"}],
     "wires": [["answer"]]},
    {"id": "answer", "type": "http response", "z": "t1", "statusCode": "", "headers": {},
     "wires": []},
    {"id": "ready", "type": "http in", "z": "t1", "url": "/ready", "method": "get",
     "upload": False, "swaggerDoc": "", "wires": [["ready-answer"]]},
    {"id": "ready-answer", "type": "http response", "z": "t1", "statusCode": "", "headers": {},
     "wires": []},
]
BODY = json.dumps({"v": 1, "text": "hello"}).encode()


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    return done.stdout.strip()


# --- the servers -------------------------------------------------------------------------

def _wait_ready(port: int, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"flowrt on port {port} exited with {process.returncode}")
        try:
            status, _ = asyncio.run(_one(port, "GET", "/ready", b""))
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"flowrt on port {port} did not serve /ready within {timeout:g} s")


@contextmanager
def flowrt_serving(work: Path, tree: Path = ROOT) -> Iterator[int]:
    """``flowrt run`` on the imported NODES, with the flowrt package found in ``tree``."""
    conversion = convert(read_data(NODES), {}, "flows.json")
    folder = work / "flowrt-flows"
    folder.mkdir(parents=True, exist_ok=True)
    for flow in conversion.flows:
        (folder / flow.file).write_text(render(flow))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if tree != ROOT:  # its flowrt and, through its editable/ folder, its nodes/
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (tree, tree / "editable"))
    process = subprocess.Popen(
        [sys.executable, "-m", "flowrt", "run", str(folder), "--http", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def nodered_port(work: Path) -> Iterator[int]:
    with nodered_serving(NODES, nodered_home(), work, ready="/ready") as url:
        yield int(url.rsplit(":", 1)[1])


@contextmanager
def exported(rev: str) -> Iterator[Path]:
    tree = Path(tempfile.mkdtemp(prefix="flowrt-http-tree-"))
    try:
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
        yield tree
    finally:
        shutil.rmtree(tree, ignore_errors=True)


# --- the client --------------------------------------------------------------------------

async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip()
               for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, body
            body += chunk[:-2]
    raise ValueError(f"an answer with neither Content-Length nor chunks: {head!r}")


def _request(method: str, path: str, body: bytes) -> bytes:
    return (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def _one(port: int, method: str, path: str, body: bytes) -> tuple[int, bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(_request(method, path, body))
        return await _read_answer(reader)
    finally:
        writer.close()


async def _drive(port: int, n: int, concurrency: int, warmup: int) -> dict[str, Any]:
    request = _request("POST", "/echo", BODY)
    latencies: list[float] = []
    left = n
    ready = asyncio.Event()
    warm = 0

    async def connection() -> None:
        nonlocal left, warm
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for i in range(warmup):
                writer.write(request)
                status, answer = await _read_answer(reader)
                if i == 0 and (status != 200 or json.loads(answer).get("seen") is not True):
                    raise SystemExit(f"port {port}: POST /echo answered {status} {answer!r}")
            warm += 1
            if warm == concurrency:
                ready.set()
            await ready.wait()
            while left > 0:
                left -= 1
                sent = time.perf_counter()
                writer.write(request)
                status, _ = await _read_answer(reader)
                latencies.append(time.perf_counter() - sent)
                if status != 200:
                    raise SystemExit(f"port {port}: POST /echo answered {status}")
        finally:
            writer.close()

    tasks = [asyncio.create_task(connection()) for _ in range(concurrency)]
    waiting = asyncio.create_task(ready.wait())
    await asyncio.wait([waiting, *tasks], return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()  # a connection that failed before all were warm fails the gather below
    started = time.perf_counter()
    await asyncio.gather(*tasks)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "latencies": latencies}


def drive(port: int, n: int, concurrency: int, warmup: int) -> dict[str, Any]:
    return asyncio.run(_drive(port, n, concurrency, warmup))


# --- the report --------------------------------------------------------------------------

def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    latencies = [x for run in runs for x in run["latencies"]]
    rates = [len(run["latencies"]) / run["seconds"] for run in runs]
    return {"requests_per_s": round(statistics.median(rates), 1),
            "rates": [round(r, 1) for r in rates],
            "p50_ms": round(_percentile(latencies, 0.50) * 1000, 3),
            "p99_ms": round(_percentile(latencies, 0.99) * 1000, 3),
            "requests": len(latencies)}


def ratios(systems: dict[str, dict[str, Any]]) -> dict[str, dict[str, float]]:
    base = systems["Node-RED"]
    return {name: {"requests_per_s": round(s["requests_per_s"] / base["requests_per_s"], 3),
                   "p50_ms": round(s["p50_ms"] / base["p50_ms"], 3),
                   "p99_ms": round(s["p99_ms"] / base["p99_ms"], 3)}
            for name, s in systems.items() if name != "Node-RED"}


def table(report: dict[str, Any]) -> str:
    s = report["settings"]
    lines = [
        f"POST /echo (http in -> change -> http response), N={s['n']:,} per round, "
        f"{s['concurrency']} kept-alive connections, {s['rounds']} round(s); commit "
        f"{report['commit']}; {report['machine']['cores']} cores, load "
        f"{report['machine']['load_before']:.1f}",
        "",
        "| server | requests/s | p50 ms | p99 ms |",
        "|---|---:|---:|---:|",
    ]
    for name, run in report["systems"].items():
        lines.append(f"| {name} | {run['requests_per_s']:,.0f} | {run['p50_ms']:.2f} | "
                     f"{run['p99_ms']:.2f} |")
    for name, ratio in report["ratios"].items():
        lines.append(f"| {name} / Node-RED | {ratio['requests_per_s']:.2f}x | "
                     f"{ratio['p50_ms']:.2f}x | {ratio['p99_ms']:.2f}x |")
    return "\n".join(lines)


def measure(n: int, concurrency: int, rounds: int, warmup: int,
            before: str | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {
        "commit": _git("rev-parse", "--short", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--untracked-files=no")),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"cores": os.cpu_count(), "load_before": round(os.getloadavg()[0], 2),
                    "python": platform.python_version()},
        "settings": {"n": n, "concurrency": concurrency, "rounds": rounds, "warmup": warmup,
                     "before": before},
    }
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="flowrt-http-")))
        ports = {"Node-RED": stack.enter_context(nodered_port(work / "nr")),
                 "flowrt": stack.enter_context(flowrt_serving(work / "now"))}
        if before:
            tree = stack.enter_context(exported(before))
            ports[f"flowrt at {before}"] = stack.enter_context(
                flowrt_serving(work / "before", tree))
        names = list(ports)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
        for r in range(rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:
                runs[name].append(drive(ports[name], n, concurrency, warmup))
    report["machine"]["load_after"] = round(os.getloadavg()[0], 2)
    report["systems"] = {name: summary(runs[name]) for name in names}
    report["ratios"] = ratios(report["systems"])
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="measured requests per round")
    parser.add_argument("--concurrency", type=int, default=8, help="kept-alive connections")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=20, help="requests per connection first")
    parser.add_argument("--before", metavar="REV", help="also run flowrt as committed at REV")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    if args.n < 1 or args.concurrency < 1 or args.rounds < 1 or args.warmup < 1:
        parser.error("--n, --concurrency, --rounds and --warmup must be at least 1")
    report = measure(args.n, args.concurrency, args.rounds, args.warmup, args.before)
    print(json.dumps(report, indent=2) if args.json else table(report))


if __name__ == "__main__":
    main()
