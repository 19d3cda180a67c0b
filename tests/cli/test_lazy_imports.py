"""What `flowrt run` loads before its flow runs: only what the flow needs.

Start-up is measured against Node-RED (benchmarks/nodered_compare.py); these tests hold the
reasons it is short without timing anything. A process runs the command line as `flowrt`
does, then prints the modules it holds: a flow of core nodes must not load the checker (its
check runs in a child process, :mod:`flowrt.compile.isolated`), the server's libraries, the
libraries of node packs the flow does not use, or those packs' modules (the node types come
from the cached index, :mod:`flowrt.registry.index`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from flowrt.registry.index import CACHE_ENV

ROOT = Path(__file__).resolve().parents[2]

PROBE = """\
import json, sys
from flowrt.cli.commands import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print(json.dumps({"exit": code, "modules": sorted(sys.modules)}))
"""

HEAVY = (
    "networkx", "jsonschema", "referencing", "starlette", "uvicorn", "sqlalchemy", "sqlmodel",
    "opentelemetry", "aiohttp", "httpx", "markdown_it", "psutil", "jinja2", "paho", "pika",
    "psycopg", "influxdb_client", "amqtt", "selectolax",
)
"""Libraries a flow of core nodes (inject, change, debug) needs none of."""

CHECKER = ("flowrt.check.graph", "flowrt.check.schema", "flowrt.check.delivery")

FLOW = """\
flowrt: 1
id: small
nodes:
  start: {type: inject, once: true, payload: {type: num, value: 1}, to: double}
  double: {type: change, rules: [{set: payload, to: {type: num, value: 2}}], to: log}
  log: {type: debug}
"""


def loaded(tmp_path: Path, *args: str) -> tuple[object, list[str]]:
    """The exit status of ``flowrt ARGS`` and the modules its process held at the end (with
    the node type index in ``tmp_path/cache``, :mod:`flowrt.registry.index`)."""
    env = {**os.environ, CACHE_ENV: str(tmp_path / "cache")}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    return report["exit"], report["modules"]


def held(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return [n for n in names if any(m == n or m.startswith(n + ".") for m in modules)]


def packs(modules: list[str]) -> set[str]:
    return {m.split(".")[1] for m in modules if m.startswith("flowrt_nodes.")}


def test_running_a_flow_of_core_nodes_loads_nothing_it_does_not_use(tmp_path: Path) -> None:
    (tmp_path / "small.yaml").write_text(FLOW)
    status, modules = loaded(tmp_path, "nodes")  # discovers every pack, and writes the index
    assert status == 0 and "mqtt" in packs(modules)
    for _ in range(3):  # a pack edited meanwhile (in a working tree) means discovering again
        status, modules = loaded(tmp_path, "run", "--until-idle", "--log-level", "warning",
                                 "small.yaml")
        assert status == 0
        if packs(modules) == {"core"}:
            break
    assert packs(modules) == {"core"}
    assert held(modules, HEAVY) == []
    assert held(modules, CHECKER) == []


def test_the_probe_sees_what_a_command_loads(tmp_path: Path) -> None:
    # validate checks in-process: the checker and its graph library are there to be seen
    (tmp_path / "small.yaml").write_text(FLOW)
    status, modules = loaded(tmp_path, "validate", "small.yaml")
    assert status == 0
    assert held(modules, CHECKER) == list(CHECKER)
    assert held(modules, ("flowrt.registry",)) == ["flowrt.registry"]
