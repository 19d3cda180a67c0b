"""benchmarks/bench_dashboard.py with tiny sizes against real Node-RED (node-red-dashboard, from
npm on first use) and flowrt, with a Chromium page on each (Debian's, as tests/ui): both
columns, every figure there, and what the clients and the pages read being the flow's values.
How fast either ran is the benchmark's business, never asserted."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "bench_dashboard.py"
ARGS = ["--widgets", "4", "--hz", "5", "--clients", "2", "--seconds", "3", "--warmup", "1",
        "--baseline", "1", "--slow-seconds", "1", "--browser", "2"]
SYSTEMS = ["flowrt", "Node-RED"]


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), *ARGS, "--json"], cwd=ROOT, capture_output=True,
        text=True, timeout=600, stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def test_both_servers_sent_the_flows_values_to_every_client(report: dict[str, Any]) -> None:
    assert list(report["systems"]) == SYSTEMS
    assert report["node_red_dashboard"].startswith("3.")
    for name, run in report["systems"].items():
        # every value a client got was a tick's stamp: updates are whole ticks of 4 widgets
        assert run["updates"] > 0 and run["updates"] % 4 == 0, name
        assert run["values"] > 0 and run["values_per_s_per_client"] > 0, name
        assert run["bytes_per_s_per_client"] > 0, name
        assert run["cpu_s"] >= 0 and run["cpu_ms_per_1000_updates"] >= 0, name
        assert run["p50_ms"] <= run["p99_ms"], name


def test_the_slow_client_is_measured(report: dict[str, Any]) -> None:
    for name, run in report["systems"].items():
        slow = run["slow"]
        assert 0 < slow["rss_before_mb"] <= slow["rss_peak_mb"], name
        assert slow["kernel_queue_bytes"] >= 0, name
        # it read again after its stall and got values (late or current: not asserted)
        assert slow["first_age_ms"] is not None, name


def test_each_page_showed_the_flows_values(report: dict[str, Any]) -> None:
    for name, run in report["systems"].items():
        page = run["page"]
        # the text widgets' stamps, seen changing in the DOM (2 of the 4 widgets, 5 Hz, 2 s)
        assert page["dom_values"] > 0, name
        assert page["dom_p50_ms"] <= page["dom_p99_ms"], name
        assert page["frames"] > 0 and page["frame_p50_ms"] > 0, name


def test_the_table_has_both_columns_and_the_goals(report: dict[str, Any]) -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    dashboard_report = importlib.import_module("dashboard_report")

    text = dashboard_report.table(report)
    rows = {line.split("|")[1].strip(): line.split("|")[2:-1] for line in text.splitlines()
            if line.startswith("| ") and "---" not in line}
    assert rows["figure"] == [" flowrt ", " Node-RED "]
    for label, _, _ in [*dashboard_report.ROWS, *dashboard_report.SLOW_ROWS,
                        *dashboard_report.PAGE_ROWS]:
        assert len(rows[label]) == 2, label
    assert set(report["goals"]) == {"p99_under_100_ms", "cpu_ratio", "cpu_3x_fewer",
                                    "slow_client_coalesced"}
    assert "fewer server CPU seconds per update than node-red-dashboard" in text
    assert "goal: p99 under 100 ms" in text
    assert "goal: the slow client gets the latest values" in text
