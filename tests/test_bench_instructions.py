"""benchmarks/bench_instructions.py: it counts the machine instructions of a chain5 message and
of the hand-written loops under callgrind, the same count for the same tree from one run to the
next, and fails plainly when it cannot.

valgrind is needed (the CI installs it); without it these tests fail, as the script does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "bench_instructions.py"


def _run(*extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *extra], cwd=ROOT, capture_output=True,
                          text=True, timeout=600, stdin=subprocess.DEVNULL, env=env)


def _count(*extra: str) -> dict[str, Any]:
    done = _run("--n-low", "200", "--n-high", "1200", "--json", *extra)
    assert done.returncode == 0, done.stderr[-3000:]
    counted: dict[str, Any] = json.loads(done.stdout)
    return counted


def test_the_count_is_the_same_each_run_and_the_loops_do_less() -> None:
    first, second = _count("--functions", "12"), _count("--no-loops")
    flowrt = first["flowrt"]["per_message"]
    assert 5_000 < flowrt < 200_000
    assert flowrt > 0 and first["flowrt"]["messages"] == 2_000
    assert abs(second["flowrt"]["per_message"] - flowrt) < 0.02 * flowrt
    assert "python_loop" not in second
    loop, same = first["python_loop"]["per_message"], first["python_loop_same"]["per_message"]
    assert 2_000 < loop < same < flowrt  # the loop doing all the nodes do costs more
    assert abs(first["python_loop"]["ratio"] - loop / flowrt) < 1e-9
    functions = first["functions"]
    assert len(functions) == 12
    assert any(k.endswith("ceval.c:_PyEval_EvalFrameDefault") for k in functions)
    assert list(functions.values()) == sorted(functions.values(), reverse=True)
    assert 0 < sum(functions.values()) < flowrt


def test_it_fails_plainly_without_valgrind(tmp_path: Path) -> None:
    done = _run("--n-low", "200", "--n-high", "1200",
                env={**os.environ, "PATH": str(tmp_path)})
    assert done.returncode != 0
    assert "valgrind" in done.stderr and "Traceback" not in done.stderr


def test_it_fails_plainly_when_a_run_fails(tmp_path: Path) -> None:
    (tmp_path / "flowrt").mkdir()
    (tmp_path / "flowrt" / "__init__.py").write_text("raise ImportError('a broken tree')\n")
    done = _run("--n-low", "200", "--n-high", "1200", "--no-loops", "--before", str(tmp_path))
    assert done.returncode != 0
    assert "failed (exit 1)" in done.stderr and "a broken tree" in done.stderr
