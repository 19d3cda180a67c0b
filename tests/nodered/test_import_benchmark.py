"""benchmarks/nodered_import.py: the import figures over a directory of Node-RED exports, on
Node-RED's packaged examples (installed with npm on first use) and on a made-up directory whose
figures are known."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.nodered.helpers import examples_dir, nodered_home

ROOT = Path(__file__).resolve().parent.parent.parent
SCRIPT = ROOT / "benchmarks" / "nodered_import.py"


def run(*args: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run([sys.executable, str(SCRIPT), *args, "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.stdout, done.stderr[-3000:]
    return done.returncode, json.loads(done.stdout)


def test_the_packaged_examples_import_validate_and_run_as_flowrt_nodes() -> None:
    nodered_home()
    count = len(list(examples_dir().rglob("*.json")))
    status, figures = run(str(examples_dir()))
    assert status == 0, figures["failures"]
    assert figures["files"] == count > 100
    assert figures["imported"] == figures["validated"] == count
    assert figures["flow_nodes"] > 500
    assert figures["runnable"] == figures["counted"] - sum(
        u["count"] for u in figures["unsupported"])
    assert figures["runnable_ratio"] >= 0.98, figures["unsupported"]


def test_the_figures_of_a_made_up_directory(tmp_path: Path) -> None:
    flow = [
        {"id": "t1", "type": "tab", "label": "One"},
        {"id": "i", "type": "inject", "z": "t1", "wires": [["c", "u", "g"]]},
        {"id": "c", "type": "change", "z": "t1", "rules": [
            {"t": "set", "p": "payload", "pt": "msg", "to": "x", "tot": "str"}],
         "wires": [["d"]]},
        {"id": "u", "type": "made-up-contrib", "z": "t1", "wires": [["d"]]},
        {"id": "g", "type": "ui_gauge", "z": "t1", "wires": []},
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ]
    (tmp_path / "flows.json").write_text(json.dumps(flow))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "wrapped.json").write_text(json.dumps({"flows": flow, "rev": "1"}))
    (tmp_path / "package.json").write_text(json.dumps({"name": "not-a-flow"}))
    status, figures = run(str(tmp_path))
    assert status == 0
    assert (figures["files"], figures["not_exports"]) == (2, 1)
    assert figures["imported"] == figures["validated"] == 2
    assert figures["flow_nodes"] == 10 and figures["hardware_or_dashboard"] == 2
    assert (figures["counted"], figures["runnable"]) == (8, 6)
    assert (figures["known_type_nodes"], figures["known_type_runnable"]) == (6, 6)
    [unknown] = figures["unsupported"]
    assert (unknown["type"], unknown["count"], unknown["known"]) == ("made-up-contrib", 2, False)
    _, ignoring = run(str(tmp_path), "--ignore", "made-up-contrib")
    assert (ignoring["counted"], ignoring["runnable"], ignoring["unsupported"]) == (6, 6, [])
