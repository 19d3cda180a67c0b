"""Every example flow in flows/ validates cleanly and runs; `flowrt run` drains and stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flowrt.check import check
from flowrt.load import load_project
from flowrt.testing import run_flow

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"
EXAMPLES = sorted(p for p in FLOWS.glob("*.yaml") if not p.name.endswith(".test.yaml"))
SELF_CONTAINED = [p for p in EXAMPLES if "\nconnections:" not in p.read_text()]
"""The examples that need no server (the others are run against servers in
tests/test_examples_servers.py)."""


def test_every_example_passes_its_flow_tests() -> None:
    from flowrt.testing.suite import run_tests

    suite = run_tests([str(FLOWS)])
    assert suite.broken == []
    assert {c.file.rsplit("/", 1)[-1] for c in suite.cases} == {
        p.name.replace(".yaml", ".test.yaml") for p in EXAMPLES
    }
    assert [c.name for c in suite.failed] == []


def test_there_are_examples_and_they_validate_without_any_diagnostic() -> None:
    assert {p.name for p in EXAMPLES} >= {"hello.yaml", "thermostat.yaml", "batch.yaml"}
    project = load_project([FLOWS])
    assert check(project, strict=True) == []


@pytest.mark.parametrize("path", SELF_CONTAINED, ids=lambda p: p.stem)
def test_each_example_runs_without_errors(path: Path, tmp_path: Path) -> None:
    result = run_flow(
        path.read_text(), file=str(path), until=10, env={"OUT_DIR": str(tmp_path)}
    )
    assert result.errors == []
    assert any(level == "info" for _, level, _ in result.logs)  # the debug nodes wrote


def test_hello_shouts_every_second() -> None:
    path = FLOWS / "hello.yaml"
    result = run_flow(path.read_text(), file=str(path), until=5.5)
    assert [text for node, _, text in result.logs if node == "log"] == ["HELLO"] * 5


def test_batch_writes_the_converted_csv(tmp_path: Path) -> None:
    path = FLOWS / "batch.yaml"
    result = run_flow(path.read_text(), file=str(path), env={"OUT_DIR": str(tmp_path)})
    assert result.errors == []
    lines = (tmp_path / "readings-fahrenheit.csv").read_text().splitlines()
    assert lines[0] == "sensor,room,celsius,fahrenheit"
    assert lines[1] == "t1,kitchen,21.5,70.7"
    assert len(lines) == 6


def flowrt(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "flowrt", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,  # type: ignore[call-overload]
    )


def test_run_until_idle_exits_zero_with_a_summary(tmp_path: Path) -> None:
    proc = flowrt("run", "--until-idle", "flows/batch.yaml",
                  env={**os.environ, "OUT_DIR": str(tmp_path)})
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert (tmp_path / "readings-fahrenheit.csv").exists()
    summary = err[err.index("\nnode ") + 1 :].splitlines()
    assert summary[0].split() == ["node", "type", "in", "out"]
    assert summary[1].split() == ["start", "inject", "0", "1"]


def test_run_stops_gracefully_on_sigterm() -> None:
    proc = flowrt("run", "--log-format", "json", "flows/hello.yaml")
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    seen = ""
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        seen += line
        if '"HELLO"' in line or "HELLO" in line:
            break
    assert "HELLO" in seen and '"node": "log"' in seen  # structured: the node id has its key
    proc.send_signal(signal.SIGTERM)
    _, rest = proc.communicate(timeout=30)
    assert proc.returncode == 0
    assert "stopping" in rest and "shout" in rest.split("node ", 1)[-1]


def test_the_readmes_first_run_runs_both_flows_and_stops_on_sigterm() -> None:
    """The command README.md's "Set up and run" ends with, after the install it cannot run."""
    readme = (FLOWS.parent / "README.md").read_text(encoding="utf-8")
    command = "flowrt run flows/hello.yaml flows/thermostat.yaml"
    assert f"&& {command}\n" in readme, "README.md's first command changed: update this test"
    proc = flowrt(*command.split()[1:])
    assert proc.stderr is not None
    deadline = time.monotonic() + 30
    seen = ""
    while time.monotonic() < deadline and "HELLO" not in seen:
        seen += proc.stderr.readline()
    assert "HELLO" in seen and "running" in seen and "2 flows" in seen, seen
    proc.send_signal(signal.SIGTERM)
    _, rest = proc.communicate(timeout=30)
    assert proc.returncode == 0, rest
    table = rest.split("\nnode ", 1)[-1]
    assert "shout" in table and "too-hot" in table


def test_run_refuses_a_broken_flow_with_its_position(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("flowrt: 1\nnodes:\n  a: {type: inject, to: nowhere}\n")
    proc = flowrt("run", str(broken))
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert "broken.yaml:3:" in err and "E031" in err and "node 'a'" in err


def test_persisted_context_survives_a_restart(tmp_path: Path) -> None:
    counter = tmp_path / "counter.yaml"
    counter.write_text(
        "flowrt: 1\n"
        "nodes:\n"
        "  start: {type: inject, once: true, to: count}\n"
        "  count:\n"
        "    type: script\n"
        "    code: |\n"
        "      runs = flow.get('runs', 0) + 1\n"
        "      flow.set('runs', runs)\n"
        "      node.log(f'run {runs}')\n"
        "      return None\n"
    )
    store = f"sqlite:///{tmp_path / 'context.db'}"
    for expected in ("run 1", "run 2", "run 3"):
        proc = flowrt("run", "--until-idle", "--context-store", store, str(counter))
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert expected in err
