"""benchmarks/compare_all.py: each figure's verdict against its goal, and the table that
prints it. The measuring is the benchmarks' own (tests/test_bench_http.py runs one of them)."""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _module() -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location(
            "compare_all", ROOT / "benchmarks" / "compare_all.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    return module


def test_a_goal_is_met_on_its_own_side_only() -> None:
    m = _module()
    assert m._figure("rate", 10.0, 10.0, m.AT_LEAST, "")["met"] is True
    assert m._figure("rate", 9.9, 10.0, m.AT_LEAST, "")["met"] is False
    assert m._figure("start", 0.35, 0.35, m.AT_MOST, "")["met"] is True
    assert m._figure("start", 0.36, 0.35, m.AT_MOST, "")["met"] is False
    assert m._figure("http", 1.5, None, m.AT_LEAST, "")["met"] is None


def test_the_table_says_which_goals_are_not_met() -> None:
    m = _module()
    report = {
        "commit": "abc1234", "date": "2026-12-06 22:00 UTC",
        "machine": {"cores": 2, "load_before": 1.0, "load_after": 1.5},
        "settings": {"rounds": 1, "n": 100, "http_n": 10, "concurrency": 2},
        "figures": [m._figure("chain5 / loop", 0.12, 0.5, m.AT_LEAST, "1 against 8"),
                    m._figure("start-up / Node-RED", 0.3, 0.35, m.AT_MOST, "3 against 10"),
                    m._figure("HTTP / Node-RED", 1.9, None, m.AT_LEAST, "")],
    }
    rows = m.table(report).splitlines()
    assert "| chain5 / loop | 0.12x | >= 0.5x | NOT met | 1 against 8 |" in rows
    assert "| start-up / Node-RED | 0.30x | <= 0.35x | met | 3 against 10 |" in rows
    assert "| HTTP / Node-RED | 1.90x | none set | - |  |" in rows


def test_the_loop_counts_every_message() -> None:
    assert _module().python_loop(3000) > 0


def _pipeline_report(flowrt_lost: int, nodered_lost: int) -> dict[str, object]:
    def system(rate: float, lost: int, p99: float) -> dict[str, object]:
        return {"throughput": {"msgs_per_s": rate, "lost": lost, "complete": lost == 0},
                "latency": {"p99_ms": p99}}

    return {"settings": {"latency_rate": 1000.0},
            "systems": {"flowrt-mqtt5": system(6000.0, flowrt_lost, 40.0),
                        "nodered": system(1000.0, nodered_lost, 100.0)}}


def test_a_pipeline_that_lost_a_message_meets_no_goal_of_rate() -> None:
    m = _module()
    rate, p99 = m.pipeline_verdict(_pipeline_report(0, 300), 20_000)
    assert rate["met"] is True and rate["measured"] == 6.0
    assert "lost 0 and 300 of 20,000" in rate["detail"] and "counts what arrived" in rate["detail"]
    assert p99["measured"] == 0.4 and p99["met"] is True
    lossy, _ = m.pipeline_verdict(_pipeline_report(1, 0), 20_000)
    assert lossy["measured"] == 6.0 and lossy["met"] is False


def test_the_parts_to_skip_are_named() -> None:
    m = _module()
    assert m._parts("pipeline, sinks") == frozenset({"pipeline", "sinks"})
    with pytest.raises(argparse.ArgumentTypeError, match="disk.*workers"):
        m._parts("pipeline,disk")
