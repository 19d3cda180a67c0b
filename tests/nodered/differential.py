"""Run one Node-RED flow in real Node-RED and, imported, in flowrt; collect what the debug nodes
got on each side, to compare.

Both sides get the same flow with every inject node fired once, one after the other (flowrt has
no inject button). On the Node-RED side each debug node is replaced by a function node that
appends what it receives to a file; on the flowrt side the debug nodes' inputs are read from
the run's result.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from flowrt.nodered import convert, read_data
from flowrt.nodered.writer import render
from flowrt.testing import run_flow

Received = dict[str, list[Any]]
"""Node-RED debug node id -> the payloads it received, in order (or, with ``keys``, each
message's properties named there, as a dict without those it lacked)."""

PAYLOAD = ("payload",)

RECORDER = (
    "const fs = global.get('fs');\n"
    "const line = JSON.stringify({node: %s, payload: %s});\n"
    "fs.appendFileSync(global.get('out'), line + '\\n');\n"
    "return null;"
)


def fire_injects(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The flow with its tabs present and each inject node firing once, in file order."""
    nodes = copy.deepcopy(nodes)
    containers = {n["id"] for n in nodes if n.get("type") in ("tab", "subflow")}
    missing = {n.get("z") for n in nodes if n.get("z") and "wires" in n} - containers
    nodes += [{"id": z, "type": "tab", "label": z} for z in sorted(missing)]
    delay = 0.2
    for n in nodes:
        if n.get("type") == "inject":
            n.update(once=True, onceDelay=round(delay, 1), repeat="", crontab="")
            delay += 0.3
    return nodes


def isolate(nodes: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """The flow with every id (and every reference to one) prefixed, so several flows can run
    in one Node-RED without their ids clashing."""
    ids = {n["id"] for n in nodes if isinstance(n.get("id"), str)}

    def rename(value: Any) -> Any:
        if isinstance(value, str):
            return f"{prefix}{value}" if value in ids else value
        if isinstance(value, list):
            return [rename(v) for v in value]
        if isinstance(value, dict):
            return {k: rename(v) for k, v in value.items()}
        return value

    return [rename(n) for n in nodes]


def _recorded(keys: tuple[str, ...]) -> str:
    """The JavaScript expression of what the recorder writes for ``msg``."""
    if keys == PAYLOAD:
        return "msg.payload"
    return "{" + ", ".join(f"{json.dumps(k)}: msg[{json.dumps(k)}]" for k in keys) + "}"


def run_nodered(flows: dict[str, list[dict[str, Any]]], home: Path, work: Path,
                expected: int, timeout: float = 60.0,
                keys: tuple[str, ...] = PAYLOAD, keep: tuple[str, ...] = ()) -> dict[str, Received]:
    """Run several flows (their ids must not clash) in one Node-RED until ``expected`` debug
    messages arrived in all, or the timeout; what each flow's debug nodes got. The debug nodes
    named in ``keep`` stay real debug nodes (for their status) and record nothing."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js) is needed to run Node-RED")
    out = work / "received.jsonl"
    out.write_text("")
    owner: dict[str, str] = {}
    merged = []
    for name, nodes in flows.items():
        for n in nodes:
            assert n["id"] not in owner, f"id {n['id']} of {name} is also in {owner[n['id']]}"
            owner[n["id"]] = name
            if n.get("type") == "debug" and n["id"] not in keep:
                n = {"id": n["id"], "type": "function", "z": n.get("z"), "outputs": 0,
                     "func": RECORDER % (json.dumps(n["id"]), _recorded(keys)),
                     "x": n.get("x", 0), "y": n.get("y", 0), "wires": []}
            merged.append(n)
    user = work / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "flows.json").write_text(json.dumps(merged))
    settings = work / "settings.js"
    settings.write_text(
        "module.exports = {uiHost: '127.0.0.1', uiPort: 0, httpAdminRoot: false, "
        "httpNodeRoot: false, flowFile: 'flows.json', credentialSecret: false, "
        f"functionGlobalContext: {{fs: require('fs'), out: {json.dumps(str(out))}}}, "
        "logging: {console: {level: 'warn', metrics: false, audit: false}}};\n"
    )
    process = subprocess.Popen(
        [node, str(home / "node_modules/node-red/red.js"), "--settings", str(settings),
         "--userDir", str(user)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(_lines(out)) < expected:
            time.sleep(0.1)
        time.sleep(1.0)  # anything more than expected would show up now
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    received: dict[str, Received] = {name: {} for name in flows}
    for line in _lines(out):
        item = json.loads(line)
        received[owner[item["node"]]].setdefault(item["node"], []).append(item.get("payload"))
    return received


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text().split("\n") if line.strip()]  # not at U+2028


def run_flowrt(nodes: list[dict[str, Any]], keys: tuple[str, ...] = PAYLOAD) -> Received:
    """Import the flow and run it on simulated time; what each debug node received."""
    conversion = convert(read_data(nodes), {}, "example.json")
    files = [render(flow) for flow in conversion.flows]
    result = run_flow(files[0], others=files[1:], until=30, env=dict(os.environ))
    received: Received = {}
    for entry in conversion.report.entries:
        if entry.nr_type == "debug":
            got = [json.loads(json.dumps(_picked(m, keys))) for m in
                   result.received(entry.flowrt_id)]
            if got:
                received[entry.nr_id] = got
    return received


def _picked(msg: dict[str, Any], keys: tuple[str, ...]) -> Any:
    if keys == PAYLOAD:
        return msg.get("payload")
    return {k: msg[k] for k in keys if k in msg}
