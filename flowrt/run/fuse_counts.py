"""The counts of compiled runs (:mod:`flowrt.run.fuse_code`): a run counts each message that
enters it once, and for each of its nodes the messages that leave before it or stop in it;
each node's counts in and out are made from those when anything reads them."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

RUNS: weakref.WeakSet[Any] = weakref.WeakSet()
"""Every compiled run's input alive in the process, each with its ``flush_counts``."""


class Counts(dict[str, list[int]]):
    """Node id -> [messages in, messages out] (``Runtime.stats``), current when read: a compiled
    run counts its messages once and each node's counts are made from that when anything reads
    them (:func:`flush_counts`); the lists are the ones the nodes' inputs
    count in, so a reader keeping a list sees it current only after reading through here."""

    def __getitem__(self, node_id: str) -> list[int]:
        flush_counts()
        return super().__getitem__(node_id)

    def get(self, node_id: str, default: Any = None) -> Any:
        flush_counts()
        return super().get(node_id, default)

    def items(self) -> Any:
        flush_counts()
        return super().items()

    def values(self) -> Any:
        flush_counts()
        return super().values()

    def __iter__(self) -> Any:
        flush_counts()
        return super().__iter__()


def count_list(stats: dict[str, list[int]], node_id: str) -> list[int]:
    """A node's [in, out] list itself, to wire into its input or sink: taken without flushing
    every compiled run's counts (as a read through :class:`Counts` does), which wiring each
    node of a large flow would do once a node."""
    return dict.__getitem__(stats, node_id)


def flush_counts() -> None:
    """Add what every compiled run counted to its nodes' counts (see the module docs)."""
    for run in list(RUNS):
        run.flush_counts()


def flusher(counted: list[int], nodes: list[tuple[list[int], bool]]) -> Callable[[], None]:
    """The function adding a run's counters to its nodes' counts, and zeroing them: node
    ``k`` was reached by the messages that entered less those that left before it (at an
    earlier node, or before node ``k``'s block by a trace); it sent on those it was reached
    by less those that stopped in it (but the last, whose emit counts what it sends)."""

    def flush() -> None:
        if not any(counted):
            return
        reached = counted[0]
        for k, (counts, last) in enumerate(nodes):
            reached -= counted[1 + 2 * k]
            counts[0] += reached
            stopped = counted[2 + 2 * k]
            if not last:
                counts[1] += reached - stopped
            reached -= stopped
        counted[:] = [0] * len(counted)

    return flush
