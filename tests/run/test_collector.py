"""The collector's pace while runtimes run (flowrt/run/collector.py): raised while at least one
runs, restored when the last one stops, never lowered, never turned back on."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator

import pytest

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.registry import Registry
from flowrt.run import Runtime, collector


@pytest.fixture(autouse=True)
def _thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


def test_raised_while_held_and_restored_by_the_last_release() -> None:
    collector.hold()
    collector.hold()
    assert gc.get_threshold() == (collector.YOUNG, 10, 10)
    collector.release()
    assert gc.get_threshold() == (collector.YOUNG, 10, 10)
    collector.release()
    assert gc.get_threshold() == (700, 10, 10)
    collector.release()  # one too many changes nothing
    assert gc.get_threshold() == (700, 10, 10)


@pytest.mark.parametrize("young", [50_000, 0])
def test_a_higher_threshold_or_collection_turned_off_is_kept(young: int) -> None:
    gc.set_threshold(young, 10, 10)
    collector.hold()
    assert gc.get_threshold()[0] == young
    collector.release()
    assert gc.get_threshold()[0] == young


def test_a_threshold_the_process_set_meanwhile_is_not_undone() -> None:
    collector.hold()
    gc.set_threshold(2_000, 10, 10)
    collector.release()
    assert gc.get_threshold() == (2_000, 10, 10)


def test_a_runtime_holds_it_from_start_to_stop(registry: Registry) -> None:
    text = "flowrt: 1\nnodes:\n  src: {type: numbers, count: 3, to: out}\n  out: {type: collect}\n"
    plan, _ = build_plan(Project(documents=[load_text(text, "flow.yaml")]), registry)

    async def main() -> list[int]:
        runtime = Runtime(plan, env={})
        seen = [gc.get_threshold()[0]]
        await runtime.start()
        seen.append(gc.get_threshold()[0])
        await runtime.wait_idle()
        await runtime.stop()
        seen.append(gc.get_threshold()[0])
        await runtime.stop()  # a second stop releases nothing more
        return seen

    assert asyncio.run(main()) == [700, collector.YOUNG, 700]
