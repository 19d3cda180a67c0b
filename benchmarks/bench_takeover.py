"""How long a group's singleton is without a worker when its holder is killed (SIGKILL).

Two `flowrt run --group` processes run an inject timer firing every 0.1 s into a debug node;
the holder is killed, and the takeover time is from the kill to the survivor's first tick.
Repeated ``--rounds`` times with fresh processes; prints each round and the median and worst.

    python benchmarks/bench_takeover.py                 # 5 rounds, --group-poll 1.0
    python benchmarks/bench_takeover.py --poll 0.5 --rounds 3
    python benchmarks/bench_takeover.py --local         # flowrt run --workers 2: file locks

Needs PostgreSQL (FLOWRT_TEST_POSTGRES, default postgresql://postgres@127.0.0.1:5432/test),
except with ``--local``: one ``flowrt run --workers 2`` parent, whose workers hold the timer
through file locks of this host; the worker holding it is killed, and the parent restarts it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime
from pathlib import Path

FLOW = """\
flowrt: 1
nodes:
  tick: {type: inject, repeat: 0.1, payload: {type: env, value: WORKER}, to: log}
  log: {type: debug}
"""


def ticks(log: Path, worker: str | None = None) -> list[float]:
    found = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            record = json.loads(line)
            if record.get("node") == "log" and (worker is None or
                                                 record.get("worker") == worker):
                found.append(datetime.fromisoformat(record["time"].replace("Z", "+00:00"))
                             .timestamp())
    return found


def wait(probe: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not probe():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        time.sleep(0.02)


def one_round(folder: Path, pg: str, poll: float) -> float:
    group = f"bench-{uuid.uuid4().hex[:8]}"
    procs: dict[str, subprocess.Popen[bytes]] = {}
    logs = {w: folder / f"{group}-{w}.log" for w in "ab"}
    try:
        for w in "ab":
            env = {**os.environ, "WORKER": w}
            with logs[w].open("wb") as out:
                procs[w] = subprocess.Popen(
                    [sys.executable, "-m", "flowrt", "run", str(folder / "tick.yaml"),
                     "--log-format", "json", "--group", group, "--group-db", pg,
                     "--worker", w, "--group-poll", str(poll)],
                    stdout=out, stderr=subprocess.STDOUT, env=env)
            if w == "a":
                wait(lambda: len(ticks(logs["a"])) >= 3)
        wait(lambda: "joined as worker b" in logs["b"].read_text())
        time.sleep(0.5 + random.uniform(0, 2 * poll))  # kill at any point of a round
        holder = "a" if ticks(logs["a"]) and not ticks(logs["b"]) else "b"
        survivor = "b" if holder == "a" else "a"
        before = len(ticks(logs[survivor]))
        procs[holder].send_signal(signal.SIGKILL)
        killed = time.time()
        procs[holder].wait()
        wait(lambda: len(ticks(logs[survivor])) > before)
        return ticks(logs[survivor])[before] - killed
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
                proc.wait()


def one_local_round(folder: Path, poll: float) -> float:
    """The same with one ``--workers 2`` parent: the workers log to its one log."""
    log = folder / f"local-{uuid.uuid4().hex[:8]}.log"
    with log.open("wb") as out:
        parent = subprocess.Popen(
            [sys.executable, "-m", "flowrt", "run", str(folder / "tick.yaml"), "--log-format",
             "json", "--workers", "2", "--group", f"bench-{uuid.uuid4().hex[:8]}",
             "--group-poll", str(poll)], stdout=out, stderr=subprocess.STDOUT)
    try:
        wait(lambda: log.read_text().count('"message": "running ') == 2
             and len(ticks(log)) >= 3)
        time.sleep(0.5 + random.uniform(0, 2 * poll))  # kill at any point of a round
        holder = "w0" if ticks(log, "w0") else "w1"
        survivor = "w1" if holder == "w0" else "w0"
        pid = [int(line.rsplit(" ", 1)[1].rstrip(')"}'))
               for line in log.read_text().splitlines()
               if f'"message": "worker {holder} started (pid ' in line][-1]
        before = len(ticks(log, survivor))
        os.kill(pid, signal.SIGKILL)
        killed = time.time()
        wait(lambda: len(ticks(log, survivor)) > before)
        return ticks(log, survivor)[before] - killed
    finally:
        parent.terminate()
        parent.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--local", action="store_true",
                        help="One flowrt run --workers 2 (file locks) instead of two --group "
                             "processes (PostgreSQL).")
    args = parser.parse_args()
    pg = os.environ.get("FLOWRT_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "tick.yaml").write_text(FLOW)
        times = []
        for n in range(args.rounds):
            took = (one_local_round(folder, args.poll) if args.local
                    else one_round(folder, pg, args.poll))
            times.append(took)
            print(f"round {n + 1}: takeover {took * 1000:.0f} ms")
    how = "--workers 2" if args.local else "--group"
    print(f"{how} --group-poll {args.poll:g}: median {statistics.median(times) * 1000:.0f} ms, "
          f"worst {max(times) * 1000:.0f} ms over {len(times)} rounds "
          f"(the timer fires every 100 ms)")


if __name__ == "__main__":
    main()
