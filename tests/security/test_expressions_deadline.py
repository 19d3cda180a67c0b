"""The time limit of one evaluation (flowrt.expressions.deadline.within): it stops a runaway
evaluation on
the calling thread, and never lets its exception land anywhere else."""

from __future__ import annotations

import threading

import pytest

from flowrt.api import NodeError, TimeLimitExceeded, within
from flowrt.expressions.deadline import Overtime


def spin() -> None:
    while True:
        pass


def test_a_runaway_loop_is_stopped_and_named() -> None:
    with pytest.raises(TimeLimitExceeded, match="the test loop ran longer than 0.2 s"):
        within(0.2, "the test loop", spin)
    assert within(5, "after", lambda: 42) == 42


def test_a_clearer_error_on_its_way_out_wins() -> None:
    def fail_slowly() -> None:
        try:
            spin()
        finally:
            raise NodeError("the pattern '(a|aa)+$' took too long")

    with pytest.raises(NodeError, match="pattern"):
        within(0.1, "slow", fail_slowly)


def test_nested_evaluations_run_under_the_outer_limit() -> None:
    with pytest.raises(TimeLimitExceeded, match="outer"):
        within(0.2, "outer", lambda: within(60, "inner", spin))


def test_no_exception_lands_after_an_evaluation_ends() -> None:
    """Thousands of evaluations that end just around their deadline: the watchdog's exception
    is raised inside one of them or cleared, never in the code that runs after."""
    stopped = finished = 0
    for i in range(3000):
        try:
            within(0.0005 * (i % 7), "short", lambda: sum(range(2000)))
            finished += 1
        except TimeLimitExceeded:
            stopped += 1
        except Overtime:  # pragma: no cover - the failure this test exists for
            pytest.fail("an Overtime escaped within()")
        for _ in range(50):  # bytecodes where a stray exception would land
            pass
    assert stopped + finished == 3000


def test_each_thread_has_its_own_deadline() -> None:
    results: dict[str, str] = {}

    def loop() -> None:
        try:
            within(0.3, "the other thread", spin)
        except TimeLimitExceeded as exc:
            results["other"] = str(exc)

    other = threading.Thread(target=loop)
    other.start()
    assert within(30, "this thread", lambda: "done") == "done"
    other.join(30)
    assert "the other thread" in results["other"]
