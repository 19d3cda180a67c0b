"""flowrt against real Node-RED on the same flows, side by side in one run, as ratios.

    python benchmarks/nodered_compare.py                 # all three flows, 3 rounds, plus idle
    python benchmarks/nodered_compare.py --flows json --rounds 1 --n 20000
    python benchmarks/nodered_compare.py --idle-only --idle-rounds 5   # start-up and idle RSS
    python benchmarks/nodered_compare.py --idle-only --idle-rounds 5 --before /tmp/old-tree

For each round and flow it runs Node-RED (``../shared/bench/nodered/run.sh``, which installs
Node-RED 4.1 from the npm registry on first use) and then ``flowrt run --until-idle`` on
``benchmarks/flows/<flow>.yaml``; both print ``RESULT msgs=.. ms=.. msgs_per_s=.. rss_mb=..``,
measured the same way (from the source's first emit to the counter's last message). Rounds
alternate between the two so that noise on this shared machine hits both. The idle figures
compare ``idle.sh`` with an idle ``flowrt run``: start-up (process start to running) and resident
memory after 3 s, medians over ``--idle-rounds`` rounds (alternating which starts first). Each
flowrt start follows a warm-up start of the same flow, so that the node type index and the kept
check (FLOWRT_CACHE_DIR, docs/packs.md) are those of an unchanged project, as when a service
restarts. ``--before TREE`` also starts the flowrt of another source tree (``git archive REV |
tar -x -C TREE``) in the same rounds: its ``flowrt`` and its ``editable/`` packs on PYTHONPATH.

Goals (issue: the runtime): chain5 >= 10x Node-RED's msgs/s, fanout >= 3x, json >= 2x, idle
RSS <= half, start-up <= half.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
NODERED = Path(os.environ.get("NODERED_BENCH", ROOT.parent / "shared" / "bench" / "nodered"))
DEFAULT_N = {"chain5": 200_000, "fanout": 50_000, "json": 100_000}
FACTOR = {"fanout": 4}
GOALS = {"chain5": 10.0, "fanout": 3.0, "json": 2.0}
RESULT = re.compile(r"msgs=(\d+) ms=(\d+) msgs_per_s=(\d+) rss_mb=(\d+)")


def parse(text: str, who: str) -> dict[str, int]:
    match = RESULT.search(text)
    if not match:
        raise SystemExit(f"{who}: no RESULT line in its output:\n{text[-2000:]}")
    msgs, ms, rate, rss = (int(g) for g in match.groups())
    return {"msgs": msgs, "ms": ms, "rate": rate, "rss": rss}


def nodered_env() -> dict[str, str]:
    """The environment Node-RED runs in: with npm's global folder on NODE_PATH, where Node-RED
    4.1 looks for npm's package.json as it starts (node does not search that folder itself)."""
    env = dict(os.environ)
    if "NODE_PATH" not in env:
        found = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True)
        if found.returncode == 0 and found.stdout.strip():
            env["NODE_PATH"] = found.stdout.strip()
    return env


def run_nodered(flow: str, n: int) -> dict[str, int]:
    out = subprocess.run(
        ["bash", str(NODERED / "run.sh"), flow, str(n)], capture_output=True, text=True,
        timeout=600, env=nodered_env(),
    )
    return parse(out.stdout + out.stderr, f"Node-RED {flow}")


def flowrt_cmd() -> list[str]:
    return [sys.executable, "-m", "flowrt"]


def flowrt_env(**extra: str) -> dict[str, str]:
    """The environment flowrt runs in: with bytecode caching, as after ``pip install``.

    Some shells here set PYTHONDONTWRITEBYTECODE, which makes every start compile every module
    from source again; an installed flowrt never does that, so it would not measure start-up.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}


def run_flowrt(flow: str, n: int) -> dict[str, int]:
    env = flowrt_env(BENCH_N=str(n), BENCH_FACTOR=str(FACTOR.get(flow, 1)))
    out = subprocess.run(
        [*flowrt_cmd(), "run", "--until-idle", "--log-level", "warning",
         str(HERE / "flows" / f"{flow}.yaml")],
        capture_output=True, text=True, env=env, timeout=600,
    )
    return parse(out.stdout + out.stderr, f"flowrt {flow}")


def idle_nodered() -> dict[str, int]:
    out = subprocess.run(["bash", str(NODERED / "idle.sh")], capture_output=True, text=True,
                         timeout=120, env=nodered_env())
    match = re.search(r"startup_ms=(\d+) rss_mb=(\d+)", out.stdout)
    if not match:
        raise SystemExit(f"Node-RED idle: no result:\n{out.stdout}{out.stderr}")
    return {"startup_ms": int(match.group(1)), "rss": int(match.group(2))}


def idle_flowrt(tree: Path | None = None) -> dict[str, int]:
    """Start-up, its CPU time and the idle RSS of ``flowrt run`` of the idle flow (of the
    flowrt of ``tree``, when given), after a warm-up start."""
    env = flowrt_env()
    if tree is not None:
        env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (tree, tree / "editable"))
    cwd = tree or ROOT
    subprocess.run([*flowrt_cmd(), "nodes"], env=env, cwd=cwd, capture_output=True, check=True)
    warm = _start_idle(env, cwd)[0]
    warm.terminate()
    warm.wait(timeout=30)
    proc, startup_ms = _start_idle(env, cwd)
    # CPU time of the start (the process and its checking child): moves less with the load
    ticks = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[11:15]
    cpu_ms = sum(int(t) for t in ticks) * 1000 // os.sysconf("SC_CLK_TCK")
    time.sleep(3)
    rss = 0
    for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) // 1024
    proc.terminate()
    proc.wait(timeout=30)
    return {"startup_ms": startup_ms, "rss": rss, "cpu_ms": cpu_ms}


def _start_idle(env: dict[str, str], cwd: Path) -> tuple[subprocess.Popen[str], int]:
    """A started ``flowrt run`` of the idle flow, and the ms it took to say it is running."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        [*flowrt_cmd(), "run", "--log-level", "info", str(HERE / "flows" / "idle.yaml")],
        stderr=subprocess.PIPE, text=True, env=env, cwd=cwd,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if "running" in line:
            break
    startup_ms = int((time.perf_counter() - start) * 1000)
    if proc.poll() is not None:
        raise SystemExit(f"flowrt idle run ended before running (status {proc.returncode})")
    return proc, startup_ms


def idle_medians(rounds: int, before: Path | None = None) -> dict[str, dict[str, float]]:
    """Node-RED's and flowrt's idle figures (and the ``before`` tree's flowrt's), medians over
    ``rounds`` (each round rotating which starts first)."""
    runners: dict[str, Callable[[], dict[str, int]]] = {"nodered": idle_nodered,
                                                         "flowrt": idle_flowrt}
    if before is not None:
        runners["before"] = lambda: idle_flowrt(before)
    runs: dict[str, list[dict[str, int]]] = {who: [] for who in runners}
    names = list(runners)
    for r in range(max(rounds, 1)):
        for who in names[r % len(names):] + names[:r % len(names)]:
            runs[who].append(runners[who]())
            cpu = runs[who][-1].get("cpu_ms")
            print(f"idle round {r + 1} {who:8} startup_ms={runs[who][-1]['startup_ms']} "
                  f"rss_mb={runs[who][-1]['rss']}" + (f" cpu_ms={cpu}" if cpu else ""),
                  flush=True)
    return {who: {k: statistics.median(x[k] for x in figures) for k in ("startup_ms", "rss")}
            for who, figures in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", nargs="*", default=list(DEFAULT_N))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--n", type=int, help="messages per run (default: per flow)")
    parser.add_argument("--no-idle", action="store_true")
    parser.add_argument("--idle-only", action="store_true", help="only start-up and idle RSS")
    parser.add_argument("--idle-rounds", type=int, default=1)
    parser.add_argument("--before", type=Path, metavar="TREE",
                        help="also start the flowrt of this source tree in the idle rounds")
    args = parser.parse_args()
    if args.idle_only:
        args.flows, args.no_idle = [], False
    rates: dict[tuple[str, str], list[int]] = {}
    rss: dict[tuple[str, str], list[int]] = {}
    for round_no in range(1, args.rounds + 1):
        for flow in args.flows:
            n = args.n or DEFAULT_N[flow]
            for who, runner in (("nodered", run_nodered), ("flowrt", run_flowrt)):
                r = runner(flow, n)
                rates.setdefault((flow, who), []).append(r["rate"])
                rss.setdefault((flow, who), []).append(r["rss"])
                print(f"round {round_no} {who:8} {flow:7} n={n} msgs={r['msgs']} "
                      f"msgs/s={r['rate']} rss_mb={r['rss']}", flush=True)
    if args.flows:
        print()
        print(f"{'flow':8} {'Node-RED msgs/s':>16} {'flowrt msgs/s':>14} {'ratio':>7} "
              f"{'goal':>6} {'RSS NR/flowrt MB':>17}")
    for flow in args.flows:
        nr = statistics.median(rates[(flow, "nodered")])
        fr = statistics.median(rates[(flow, "flowrt")])
        ratio = fr / nr
        mark = "ok" if ratio >= GOALS[flow] else "MISS"
        print(f"{flow:8} {nr:16.0f} {fr:14.0f} {ratio:6.1f}x {GOALS[flow]:5.0f}x {mark}"
              f" {max(rss[(flow, 'nodered')]):>8}/{max(rss[(flow, 'flowrt')])}")
    if not args.no_idle:
        idle = idle_medians(args.idle_rounds, args.before)
        nr_idle = idle["nodered"]
        print()
        for who in ("before", "flowrt"):
            if who not in idle:
                continue
            fr_idle, name = idle[who], "flowrt" if who == "flowrt" else f"flowrt of {args.before}"
            print(f"idle start-up: Node-RED {nr_idle['startup_ms']:.0f} ms, {name} "
                  f"{fr_idle['startup_ms']:.0f} ms "
                  f"({fr_idle['startup_ms'] / nr_idle['startup_ms']:.2f}x, goal <= 0.35x)")
            print(f"idle RSS:      Node-RED {nr_idle['rss']:.0f} MB, {name} "
                  f"{fr_idle['rss']:.0f} MB ({fr_idle['rss'] / nr_idle['rss']:.2f}x, "
                  "goal <= 0.5x)")


if __name__ == "__main__":
    main()
