"""benchmarks/compare_all.py: each figure's verdict against its goal, and the table that
prints it. The measuring is the benchmarks' own (tests/test_bench_http.py runs one of them)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

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
