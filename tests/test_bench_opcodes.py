"""benchmarks/bench_opcodes.py: it counts the instructions of chain5's path, the same count
for the same tree from one run to the next, with the compiled run and the scripts in it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "bench_opcodes.py"


def _count(*extra: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, str(SCRIPT), "--n", "20", "--json", *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-3000:]
    counted: dict[str, object] = json.loads(done.stdout)
    return counted


def test_the_count_is_the_same_each_run_and_covers_the_path() -> None:
    first, second = _count(), _count()
    # the messages' random values change only which floats print through to_text: a handful
    assert abs(float(first["per_message"]) - float(second["per_message"])) < 5  # type: ignore[arg-type]
    functions = first["functions"]
    assert isinstance(functions, dict)
    names = " ".join(functions)
    assert "fused (<fused run" in names and "(<script cnt>)" in names and "(<script fn>)" in names
    assert float(first["per_message"]) > sum(  # type: ignore[arg-type]
        v for k, v in functions.items() if k.startswith("fused")) > 100


def test_lines_counts_one_function_per_line() -> None:
    counted = _count("--lines", "fused")
    lines = counted["lines"]
    assert isinstance(lines, dict) and len(lines) > 10
    functions = counted["functions"]
    assert isinstance(functions, dict)
    fused = sum(v for k, v in functions.items() if k.startswith("fused"))
    assert abs(sum(lines.values()) - fused) < 1e-6
