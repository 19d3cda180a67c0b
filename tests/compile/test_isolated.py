"""The check `flowrt run` needs, in a forked child: same diagnostics, none of its libraries kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flowrt.compile.isolated import check_isolated
from flowrt.load import load_project
from flowrt.registry import default_registry

ROOT = Path(__file__).resolve().parents[2]


def test_a_forked_check_finds_what_an_in_process_check_finds(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("flowrt: 1\nnodes:\n  a: {type: inject, repeat: 0, to: nowhere}\n")
    project = load_project([broken])
    from flowrt.check import check

    found = check_isolated(project, default_registry(), {})  # in-process: check is imported
    assert found == check(project, default_registry(), env={})
    assert sorted(d.code for d in found) == ["E025", "E031"]


def test_a_running_flowrt_never_imports_the_checker() -> None:
    script = (
        "import sys\n"
        "from flowrt.registry import default_registry\n"
        "from flowrt.load import load_project\n"
        "from flowrt.compile import build_plan\n"
        "from flowrt.compile.isolated import check_isolated\n"
        "reg = default_registry()\n"
        "project = load_project(['flows/thermostat.yaml', 'flows/data/../batch.yaml'])\n"
        "found = check_isolated(project, reg, {})\n"
        "plan, _ = build_plan(project, reg, env={}, diagnostics=found)\n"
        "print(len(plan.nodes), len(found), sorted(m for m in ('networkx', 'flowrt.check')"
        " if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["16", "0", "[]"]
