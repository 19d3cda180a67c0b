"""Node-RED's own node specs as data, run on real Node-RED and on flowrt.

Each file tests/nodered/specs/<type>.yaml holds the cases translated from one of Node-RED's
core node specs (test/nodes/core/**/*_spec.js): a flow (the node under test, wired to
``helper`` nodes that record what they get), the messages sent into a node, and the messages
(or the properties of them that the spec checks) each helper must get, in order.

- ``spec_file`` (top): the spec the cases come from; ``untranslatable``: its cases that no flow
  with inputs and outputs can express, each with the reason.
- A case: ``name``, ``spec`` (the title of the spec's case), ``flow`` (Node-RED nodes, without
  a tab), ``inputs`` (messages; ``{wait: MS}`` pauses between two), ``into`` (the node they go
  into; by default the flow's first node), ``expect`` (a list for the only helper, else helper
  id -> list), optional ``context`` (``flow``/``global`` values set before the inputs; flow
  context is that of the tab of the node they go into), ``ordered: false``, ``timeout``
  (seconds to wait after the last input), ``differs`` (a documented difference of flowrt,
  with the link to its docs/nodered.md bullet). Nodes are on one tab unless the flow has
  ``tab`` nodes and gives ``z``.
- In an expected message only the properties shown are compared; a value ``<any>`` matches any
  present value, ``<re:PATTERN>`` text the pattern finds, and ``<absent>`` a missing property;
  a nested object with ``"...": true`` is compared on the keys it shows only; a Buffer is
  written ``{type: Buffer, data: [...]}`` (as JSON shows it).

Node-RED runs every case of a type in one process (each case on its own tab, ids prefixed);
the inputs are sent by a function node fired by an inject node. flowrt imports each case with
flowrt.nodered and runs it on simulated time.

``python -m tests.nodered.spec_oracle --report [TYPE...]`` prints the per-type figures.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.nodered import convert, read_data
from flowrt.nodered.writer import render
from flowrt.testing import Harness
from tests.nodered.differential import isolate
from tests.nodered.helpers import nodered_home

SPECS = Path(__file__).parent / "specs"
ANY, ABSENT, MORE = "<any>", "<absent>", "..."

RECORD = (
    "const fs = global.get('fs');\n"
    "const m = Object.assign({}, msg); delete m._msgid;\n"
    "let text; try { text = JSON.stringify(m); } catch (e) { text = JSON.stringify("
    "{payload: String(e)}); }\n"
    "fs.appendFileSync(global.get('out'), JSON.stringify({node: %s}).slice(0, -1) + "
    "',\"msg\":' + text + '}\\n');\n"
    "return null;"
)
SEND = (
    "const revive = (k, v) => (v && v.type === 'Buffer' && Array.isArray(v.data) && "
    "Object.keys(v).length === 2) ? Buffer.from(v.data) : v;\n"
    "const preset = JSON.parse(%s, revive);\n"
    "for (const [k, v] of Object.entries(preset.flow || {})) flow.set(k, v);\n"
    "for (const [k, v] of Object.entries(preset.global || {})) global.set(k, v);\n"
    "const fs = global.get('fs');\n"
    "fs.appendFileSync(global.get('out'), JSON.stringify({started: %s}) + '\\n');\n"
    "for (const item of JSON.parse(%s, revive)) {\n"
    "  if (Object.keys(item).length === 1 && typeof item.wait === 'number') {\n"
    "    await new Promise(r => setTimeout(r, item.wait));\n"
    "  } else { node.send(item); }\n"
    "}\n"
    "return null;"
)


@dataclass
class Case:
    kind: str
    name: str
    spec: str
    flow: list[dict[str, Any]]
    inputs: list[dict[str, Any]]
    expect: dict[str, list[Any]]
    into: str
    context: dict[str, dict[str, Any]] = field(default_factory=dict)
    ordered: bool = True
    timeout: float = 0.0
    differs: str | None = None

    @property
    def helpers(self) -> list[str]:
        return [n["id"] for n in self.flow if n.get("type") == "helper"]

    @property
    def duration(self) -> float:
        """Seconds from the first input until every output should have come."""
        waits = float(sum(i["wait"] for i in self.inputs if is_wait(i))) / 1000
        return waits + self.timeout


@dataclass
class Outcome:
    case: Case
    nodered: str | None  # None: matched expect; else what went wrong
    flowrt: str | None


def is_wait(item: dict[str, Any]) -> bool:
    return set(item) == {"wait"} and isinstance(item["wait"], (int, float))


def load(kind: str) -> tuple[list[Case], dict[str, Any]]:
    data = yaml.safe_load((SPECS / f"{kind}.yaml").read_text())
    cases = []
    for raw in data.get("cases", []):
        flow = raw["flow"]
        helpers = [n["id"] for n in flow if n.get("type") == "helper"]
        expect = raw.get("expect", [])
        if isinstance(expect, list):
            assert len(helpers) == 1, f"{kind}: {raw['name']}: expect by helper id"
            expect = {helpers[0]: expect}
        into = raw.get("into") or next(n["id"] for n in flow if n.get("type") != "helper")
        cases.append(Case(kind, raw["name"], raw["spec"], flow, raw.get("inputs", []),
                          expect, into, raw.get("context", {}), raw.get("ordered", True),
                          float(raw.get("timeout", 0)), raw.get("differs")))
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), f"{kind}: case names repeat"
    return cases, data


def kinds() -> list[str]:
    return sorted(p.stem for p in SPECS.glob("*.yaml"))


# -- comparing ---------------------------------------------------------------------------

def plain(value: Any) -> Any:
    """A flowrt value as Node-RED's JSON.stringify shows it."""
    if isinstance(value, (bytes, bytearray)):
        return {"type": "Buffer", "data": list(value)}
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return json.loads(json.dumps(value, default=str))


def same(want: Any, got: Any) -> bool:
    if want == ANY:
        return True
    if isinstance(want, str) and want.startswith("<re:") and want.endswith(">"):
        return isinstance(got, str) and re.search(want[4:-1], got) is not None
    if isinstance(want, dict):
        if want.get(MORE) is True:  # only the keys shown are compared
            return isinstance(got, dict) and matches(
                {k: v for k, v in want.items() if k != MORE}, got)
        return (isinstance(got, dict) and set(got) == {k for k, v in want.items() if v != ABSENT}
                and all(same(v, got.get(k)) for k, v in want.items() if v != ABSENT))
    if isinstance(want, list):
        return (isinstance(got, list) and len(got) == len(want)
                and all(same(w, g) for w, g in zip(want, got, strict=True)))
    if isinstance(want, bool) or isinstance(got, bool):
        return type(want) is type(got)
    return bool(want == got)


def matches(want: dict[str, Any], got: dict[str, Any]) -> bool:
    """The message has the properties shown (and lacks those marked absent)."""
    for key, value in want.items():
        if value == ABSENT:
            if key in got:
                return False
        elif key not in got or not same(value, got[key]):
            return False
    return True


def verdict(case: Case, got: dict[str, list[Any]]) -> str | None:
    """None when every helper got what the case expects; else a description."""
    for helper in case.helpers:
        want, have = case.expect.get(helper, []), got.get(helper, [])
        if case.ordered:
            ok = len(want) == len(have) and all(
                matches(w, h) for w, h in zip(want, have, strict=True))
        else:
            left = list(have)
            ok = len(want) == len(have)
            for w in want:
                hit = next((i for i, h in enumerate(left) if matches(w, h)), None)
                if hit is None:
                    ok = False
                    break
                left.pop(hit)
        if not ok:
            return f"{helper}: expected {json.dumps(want)}, got {json.dumps(have)}"
    return None


# -- Node-RED ------------------------------------------------------------------------------

def nodered_flow(case: Case, prefix: str) -> list[dict[str, Any]]:
    tab = "__tab"
    nodes = [n if n.get("type") == "tab" else dict(n, z=n.get("z", tab)) for n in case.flow]
    for i, n in enumerate(nodes):
        if n.get("type") == "helper":
            nodes[i] = {"id": n["id"], "type": "function", "z": n["z"], "outputs": 0,
                        "func": RECORD % json.dumps(prefix + n["id"]), "wires": []}
    home = next(n["z"] for n in nodes if n["id"] == case.into)  # the injector's tab
    nodes.append({"id": "__inject", "type": "inject", "z": home, "once": True, "onceDelay": 0.5,
                  "repeat": "", "crontab": "", "props": [], "wires": [["__send"]]})
    nodes.append({"id": "__send", "type": "function", "z": home, "outputs": 1,
                  "func": SEND % (json.dumps(json.dumps(case.context)), json.dumps(prefix),
                                  json.dumps(json.dumps(case.inputs))),
                  "wires": [[case.into]]})
    nodes.append({"id": tab, "type": "tab", "label": case.name})
    return isolate(nodes, prefix)


def run_nodered(cases: list[Case], limit: float = 90.0) -> dict[str, dict[str, list[Any]]]:
    """What each case's helpers got, all cases run in one Node-RED."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node (Node.js) is needed to run Node-RED")
    home = nodered_home()
    prefixes = {f"c{i}_": case for i, case in enumerate(cases)}
    merged = [n for p, case in prefixes.items() for n in nodered_flow(case, p)]
    expected = sum(len(v) for c in cases for v in c.expect.values())
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "received.jsonl"
        out.write_text("")
        user = work / "user"
        user.mkdir()
        (user / "flows.json").write_text(json.dumps(merged))
        settings = work / "settings.js"
        settings.write_text(
            "module.exports = {uiHost: '127.0.0.1', uiPort: 0, httpAdminRoot: false, "
            "httpNodeRoot: false, flowFile: 'flows.json', credentialSecret: false, "
            f"functionGlobalContext: {{fs: require('fs'), out: {json.dumps(str(out))}}}, "
            "logging: {console: {level: 'off', metrics: false, audit: false}}};\n")
        process = subprocess.Popen(
            [node, str(home / "node_modules/node-red/red.js"), "--settings", str(settings),
             "--userDir", str(user)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        longest = max((c.duration for c in cases), default=0.0)
        try:
            deadline = time.monotonic() + limit
            started_all: float | None = None
            while time.monotonic() < deadline:
                items = [json.loads(line) for line in _lines(out)]
                started = sum(1 for item in items if "started" in item)
                if started == len(cases) and started_all is None:
                    started_all = time.monotonic()
                got = sum(1 for item in items if "node" in item)
                if (started_all is not None and got >= expected
                        and time.monotonic() - started_all >= longest):
                    break
                time.sleep(0.1)
            time.sleep(1.0)  # anything more than expected shows up now
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        received: dict[str, dict[str, list[Any]]] = {c.name: {} for c in cases}
        for line in _lines(out):
            item = json.loads(line)
            if "node" in item:
                prefix, helper = item["node"].split("_", 1)
                case = prefixes[prefix + "_"]
                received[case.name].setdefault(helper, []).append(item["msg"])
    return received


def _lines(path: Path) -> list[str]:
    return [line for line in path.read_text().split("\n") if line.strip()]


# -- flowrt --------------------------------------------------------------------------------

def to_flowrt(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"type", "data"} and value["type"] == "Buffer":
            return bytes(value["data"])
        return {k: to_flowrt(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_flowrt(v) for v in value]
    return value


def run_flowrt(case: Case) -> dict[str, list[Any]]:
    """What each helper got when flowrt runs the imported case (on simulated time)."""
    nodes = [{"id": "tab", "type": "tab", "label": "spec"}]
    for n in case.flow:
        if n.get("type") == "tab":
            nodes.append(n)
            continue
        if n.get("type") == "helper":
            n = {"id": n["id"], "type": "debug", "active": True, "complete": "true",
                 "wires": [], **({"z": n["z"]} if "z" in n else {})}
        nodes.append(dict(n, z=n.get("z", "tab")))
    conversion = convert(read_data(nodes), {}, "spec.json")
    problems = [d for d in conversion.report.diagnostics if " error " in d]
    if problems:
        raise RuntimeError("; ".join(problems))
    ids = {e.nr_id: e.flowrt_id for e in conversion.report.entries}
    files = [render(flow) for flow in conversion.flows]
    return asyncio.run(_drive(case, files, ids))


async def _drive(case: Case, files: list[str], ids: dict[str, str]) -> dict[str, list[Any]]:
    docs = [load_text(text, f"f{i}.yaml") for i, text in enumerate(files)]
    plan, _ = build_plan(Project(documents=docs), None, env={})
    harness = Harness(plan, timeout=20.0)
    target = ids[case.into]
    flow_id = plan.nodes[target].flow
    for key, value in case.context.get("flow", {}).items():
        harness.stores.scope(f"flow:{flow_id}").values[key] = to_flowrt(value)
    for key, value in case.context.get("global", {}).items():
        harness.stores.scope("global").values[key] = to_flowrt(value)
    await harness.start()
    try:
        at = 0.0
        for item in case.inputs:
            if is_wait(item):
                at += item["wait"] / 1000
            elif at == 0:
                harness.send_to([target], to_flowrt(item))
            else:
                harness.send_at(at, [target], to_flowrt(item))
        await harness.run(case.duration if case.timeout else None)
    finally:
        await harness.stop()
    got: dict[str, list[Any]] = {}
    for helper in case.helpers:
        msgs = harness.result.received(ids[helper])
        got[helper] = [plain({k: v for k, v in m.items() if k != "_msgid"}) for m in msgs]
    return got


# -- both ------------------------------------------------------------------------------------

def run_kind(kind: str) -> list[Outcome]:
    cases, _ = load(kind)
    on_nodered = run_nodered(cases)
    outcomes = []
    for case in cases:
        try:
            flowrt_says = verdict(case, run_flowrt(case))
        except Exception as exc:  # noqa: BLE001 - a case that cannot run fails with the reason
            flowrt_says = f"{type(exc).__name__}: {exc}"
        outcomes.append(Outcome(case, verdict(case, on_nodered[case.name]), flowrt_says))
    return outcomes


def report(selected: list[str]) -> str:
    rows = ["| Node-RED type | cases translated | not translatable | pass on Node-RED | "
            "pass on flowrt | documented differences |",
            "|---|---|---|---|---|---|"]
    details = []
    for kind in selected:
        _, data = load(kind)
        outcomes = run_kind(kind)
        nr = sum(o.nodered is None for o in outcomes)
        fr = sum(o.flowrt is None for o in outcomes)
        differs = sum(o.case.differs is not None for o in outcomes)
        rows.append(f"| {kind} | {len(outcomes)} | {len(data.get('untranslatable', []))} | "
                    f"{nr} | {fr} | {differs} |")
        for o in outcomes:
            if o.nodered is not None:
                details.append(f"{kind}: {o.case.name}: Node-RED: {o.nodered}")
            if o.flowrt is not None and o.case.differs is None:
                details.append(f"{kind}: {o.case.name}: flowrt: {o.flowrt}")
    return "\n".join(rows + [""] + details)


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "--report":
        print("usage: python -m tests.nodered.spec_oracle --report [TYPE...]", file=sys.stderr)
        return 2
    print(report(argv[1:] or kinds()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
