"""Groups of real `flowrt` processes on one machine: a singleton timer moves to the survivor
when its holder is killed with SIGKILL, and `flowrt serve` workers show the group in
``/api/group`` and ``/metrics``."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from tests.support.servers import free_port
from tests.support.waiting import wait_until

TICK = """\
flowrt: 1
nodes:
  tick:
    type: inject
    repeat: 0.5
    payload: {type: env, value: WORKER}
    to: log
  log: {type: debug}
"""


def flowrt(*args: str) -> list[str]:
    exe = shutil.which("flowrt")
    return [*([exe] if exe else [sys.executable, "-m", "flowrt"]), *args]


def start(args: list[str], worker: str, group: str, pg: str, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "WORKER": worker, "FLOWRT_GROUP": group, "FLOWRT_GROUP_DB": pg,
           "FLOWRT_WORKER": worker}
    with log.open("wb") as out:
        return subprocess.Popen(flowrt(*args), stdout=out, stderr=subprocess.STDOUT, env=env,
                                cwd=log.parent, start_new_session=True)


def records(log: Path) -> list[dict[str, Any]]:
    found = []
    for line in log.read_text().splitlines():
        if line.startswith("{"):
            found.append(json.loads(line))
    return found


def ticks(log: Path) -> list[float]:
    """When the debug node logged a tick, as epoch seconds."""
    return [_epoch(r["time"]) for r in records(log)
            if r.get("node") == "log" and r.get("logger") == "flowrt.node"]


def _epoch(stamp: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_a_singleton_timer_moves_to_the_survivor_when_its_holder_is_killed(
    tmp_path: Path, group_name: str, pg: str
) -> None:
    (tmp_path / "tick.yaml").write_text(TICK)
    logs = {w: tmp_path / f"{w}.log" for w in "ab"}
    run = ["run", "tick.yaml", "--log-format", "json", "--group-poll", "0.5"]
    a = start(run, "a", group_name, pg, logs["a"])
    try:
        wait_until(lambda: len(ticks(logs["a"])) >= 2, "worker a to tick")
        b = start(run, "b", group_name, pg, logs["b"])
        try:
            wait_until(lambda: any("joined as worker b" in r.get("message", "")
                                 for r in records(logs["b"])), "worker b to join")
            wait_until(lambda: len(ticks(logs["a"])) >= 8, "more ticks on a")
            assert ticks(logs["b"]) == [], "the timer ran on both workers"
            os.killpg(a.pid, signal.SIGKILL)
            a.wait(timeout=10)
            killed = time.time()
            wait_until(lambda: len(ticks(logs["b"])) >= 6, "worker b to take the timer over")
            on_a, on_b = ticks(logs["a"]), ticks(logs["b"])
            assert max(on_a) < min(on_b), "the two workers' ticks interleave: it ran twice"
            # how fast is measured by benchmarks/bench_takeover.py, not asserted here
            print(f"takeover: first tick on the survivor {min(on_b) - killed:.2f} s after the kill")
            status = subprocess.run(
                flowrt("group", "status", "--group", group_name, "--group-db", pg, "--json"),
                capture_output=True, text=True, timeout=60)
            assert status.returncode == 0, status.stderr
            workers = {w["worker"]: w for w in json.loads(status.stdout)["workers"]}
            assert workers["a"]["alive"] is False and workers["b"]["alive"] is True
            assert workers["b"]["holds"] == ["tick"]
            assert workers["b"]["messages"] >= 1
        finally:
            stop(b)
        summary = logs["b"].read_text()
        assert b.returncode == 0, summary
    finally:
        if a.poll() is None:
            a.kill()
            a.wait()


def _get(port: int, path: str) -> Any:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        body = response.read().decode()
    return json.loads(body) if path.startswith("/api") else body


def test_serve_workers_show_the_group_and_who_runs_each_singleton(
    tmp_path: Path, group_name: str, pg: str
) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "tick.yaml").write_text(TICK)
    ports = {"a": free_port(), "b": free_port()}
    procs = {w: start(["serve", "--flows", str(flows), "--port", str(ports[w]),
                       "--group-poll", "0.5"], w, group_name, pg, tmp_path / f"{w}.log")
             for w in "ab"}
    try:
        def both_seen() -> bool:  # by each worker: each reads the group on its own round
            try:
                views = [_get(ports[w], "/api/group") for w in "ab"]
            except OSError:
                return False
            return all(sum(1 for w in seen["workers"] if w["alive"]) == 2
                       and bool(seen["singletons"].get("tick")) for seen in views)

        try:
            wait_until(both_seen, "both workers in each one's /api/group")
        except AssertionError as exc:
            logs = "\n".join((tmp_path / f"{w}.log").read_text()[-3000:] for w in "ab")
            raise AssertionError(f"{exc}; the workers' logs:\n{logs}") from None
        views = {w: _get(ports[w], "/api/group") for w in "ab"}
        holder = views["a"]["singletons"]["tick"]
        assert holder in ("a", "b")
        assert views["b"]["singletons"]["tick"] == holder, "both workers agree who runs it"
        assert views["a"]["worker"] == "a" and views["a"]["group"] == group_name
        me = [w for w in views["b"]["workers"] if w["me"]]
        assert [w["worker"] for w in me] == ["b"]
        assert me[0]["address"] == f"http://127.0.0.1:{ports['b']}"
        metrics = {w: _get(ports[w], "/metrics") for w in "ab"}
        for text in metrics.values():
            assert f'flowrt_group_workers{{group="{group_name}"}} 2' in text
            assert f'flowrt_group_connected{{group="{group_name}"}} 1' in text
        held = f'flowrt_group_singleton_held{{group="{group_name}",node="tick"}} 1'
        assert [w for w in "ab" if held in metrics[w]] == [holder]
    finally:
        for proc in procs.values():
            stop(proc)
    for w, proc in procs.items():
        assert proc.returncode == 0, (tmp_path / f"{w}.log").read_text()


def test_a_serve_worker_on_ipv6_gives_its_address_with_brackets(
    tmp_path: Path, group_name: str, pg: str
) -> None:
    """`flowrt serve --host ::1` logs, and gives the group, http://[::1]:PORT: an address
    that answers."""
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "tick.yaml").write_text(TICK)
    port, log = free_port(), tmp_path / "a.log"
    proc = start(["serve", "--flows", str(flows), "--host", "::1", "--port", str(port),
                  "--group-poll", "0.5"], "a", group_name, pg, log)
    try:
        def address() -> str | None:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://[::1]:{port}/api/group",
                                            timeout=5) as response:
                    seen = json.loads(response.read().decode())
            except OSError:
                return None
            return next((str(w["address"]) for w in seen["workers"] if w["me"]), None)

        given = wait_until(address, "worker a in its /api/group")
        assert given == f"http://[::1]:{port}"
        with urllib.request.urlopen(f"{given}/api/group", timeout=5) as response:
            assert json.loads(response.read().decode())["worker"] == "a"
        assert f"flowrt serve: http://[::1]:{port} " in log.read_text()
    finally:
        stop(proc)
    assert proc.returncode == 0, log.read_text()
