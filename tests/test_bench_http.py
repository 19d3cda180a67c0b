"""benchmarks/bench_http.py with a tiny N against real Node-RED and flowrt: both rows, and the
flow answering as it should. How fast either ran is the benchmark's business, never asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "bench_http.py"
ARGS = ["--n", "40", "--concurrency", "2", "--rounds", "2", "--warmup", "2"]


def _run(*extra: str) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *ARGS, *extra], cwd=ROOT, capture_output=True,
        text=True, timeout=600, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(_run("--json"))
    return parsed


def test_both_servers_answered_every_request(report: dict[str, Any]) -> None:
    assert list(report["systems"]) == ["Node-RED", "flowrt"]
    for run in report["systems"].values():
        assert run["requests"] == 2 * 40
        assert len(run["rates"]) == 2
        assert run["requests_per_s"] > 0
        assert 0 < run["p50_ms"] <= run["p99_ms"]
    assert set(report["ratios"]) == {"flowrt"}
    assert report["ratios"]["flowrt"]["requests_per_s"] > 0


def test_the_table_has_both_rows_and_the_ratio() -> None:
    rows = {line.split("|")[1].strip(): line for line in _run().splitlines()
            if line.startswith("| ") and "---" not in line}
    assert {"Node-RED", "flowrt", "flowrt / Node-RED"} <= set(rows)
    for name in ("Node-RED", "flowrt"):
        rate = float(rows[name].split("|")[2].replace(",", ""))
        assert rate > 0, rows[name]
