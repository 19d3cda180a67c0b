"""How often CPython's garbage collector runs while a runtime runs.

CPython collects its youngest generation every 700 net allocations of container objects (dicts,
lists, objects), and a full collection follows once enough objects have survived into the
oldest generation. A flow keeps messages waiting in queues (a sink's buffer holds thousands
while a batch is written), and every message is a few such objects: they survive the young
collections, fill the oldest generation, and each full collection then walks every queued
message and every object of the loaded code again. Writing 50,000 points through influx-out
(benchmarks/bench_influx.py), the collector took about half of the path's CPU time; with
the youngest generation collected every 10,000 allocations instead, the same run went from
29,600 to 56,000 points/s (VictoriaMetrics; a hand-written script wrote 57,900 in the same
rounds).

So while at least one runtime of the process runs, the youngest generation's threshold is
raised to :data:`YOUNG` (never lowered, if the process set a higher one), and restored when the
last one stops. Cycles are still collected, only in larger steps: at most that many objects
wait for it.
"""

from __future__ import annotations

import gc

YOUNG = 10_000
"""Net allocations between two collections of the youngest generation while a runtime runs."""

_held = 0
_saved: tuple[int, int, int] | None = None


def hold() -> None:
    """A runtime starts: collect the youngest generation every :data:`YOUNG` allocations."""
    global _held, _saved
    if _held == 0:
        _saved = gc.get_threshold()
        young, middle, old = _saved
        if 0 < young < YOUNG:  # 0: the process turned automatic collection off; keep it so
            gc.set_threshold(YOUNG, middle, old)
    _held += 1


def release() -> None:
    """A runtime stopped: the last one out restores the thresholds it found."""
    global _held, _saved
    if _held == 0:
        return
    _held -= 1
    if _held == 0 and _saved is not None:
        if gc.get_threshold()[0] == YOUNG:  # unless the process changed them meanwhile
            gc.set_threshold(*_saved)
        _saved = None
