"""A cron-plus node in a group of workers (`flowrt run --workers 2`, no database): its schedules
fire on one worker only, as an inject node's do. Nothing is timed: every wait is for a state,
with a generous timeout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.faults.harness import Worker, tag, wait_for
from tests.group.test_workers import parent_of, running_workers, ticks

__all__ = ["parent_of"]  # the fixture, used by name

TICK = """\
flowrt: 1
nodes:
  tick:
    type: cron-plus
    schedules:
      - {name: each-second, cron: "* * * * * *",
         payload: {type: env, value: FLOWRT_WORKER_INDEX}}
    to: log
  log: {type: debug}
"""


def test_the_schedules_fire_on_one_worker(tmp_path: Path,
                                          parent_of: Callable[..., Worker]) -> None:
    flow = tmp_path / "tick.yaml"
    flow.write_text(TICK)
    parent = parent_of([flow], "--workers", "2", "--group", f"c-{tag()}", "--group-poll", "0.2")
    wait_for(lambda: running_workers(parent) == {"w0", "w1"}, "both workers to run",
             workers=[parent])
    wait_for(lambda: len(ticks(parent)) >= 4, "four ticks", workers=[parent])
    holders = {w for _, w in ticks(parent)}
    assert len(holders) == 1, f"the schedule fired on {holders}"
    assert parent.stop() == 0, parent.tail(60)
