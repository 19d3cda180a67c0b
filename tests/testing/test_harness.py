"""The Python API for pytest users: load flows, replace nodes, send, advance the clock."""

from __future__ import annotations

import asyncio
from pathlib import Path

from flowrt.testing import Harness, run_flow

FLOWS = Path(__file__).resolve().parents[2] / "flows"


def test_a_pytest_user_drives_a_flow_step_by_step() -> None:
    async def scenario() -> None:
        harness = Harness.load(FLOWS / "thermostat.yaml", replace=["every-2s", "read-sensors"],
                               env={"THRESHOLD": "25"})
        async with harness:
            harness.emit("read-sensors", {"topic": "hall", "payload": {"room": "hall",
                                                                       "celsius": 26}})
            await harness.advance(1)
            assert [m["payload"] for m in harness.result.received("alerts")] == [
                "hall is at 26 °C, above 25 °C"
            ]
            harness.send("too-hot", {"topic": "hall", "payload": {"room": "hall",
                                                                 "celsius": 20}})
            await harness.advance(3600)
            assert harness.elapsed == 3601
            assert harness.result.received("readings")[0]["payload"]["celsius"] == 20
        assert harness.result.errors == []

    asyncio.run(scenario())


def test_the_replaced_source_really_does_not_run() -> None:
    async def scenario() -> None:
        async with Harness.load(FLOWS / "hello.yaml", replace=["tick"]) as harness:
            await harness.advance(10)
            assert harness.result.received("log") == []
        async with Harness.load(FLOWS / "hello.yaml") as harness:
            await harness.advance(10)
            assert len(harness.result.received("log")) == 10

    asyncio.run(scenario())


def test_a_flow_that_never_goes_idle_ends_at_the_timeout() -> None:
    """A repeating inject keeps simulated time moving for ever: without `until`, the run stops
    at its real-time timeout with an error that says why (it ran until killed before)."""
    import time

    import pytest

    started = time.monotonic()
    with pytest.raises(TimeoutError, match="a timer keeps firing"):
        run_flow("flowrt: 1\nnodes:\n  tick: {type: inject, repeat: 5, to: out}\n"
                 "  out: {type: debug}\n", timeout=1)
    assert time.monotonic() - started < 60  # a hang guard, not a speed figure
