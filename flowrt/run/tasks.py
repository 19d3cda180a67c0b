"""The asyncio tasks a runtime owns, and their supervision.

Each source, sink and asynchronous transform runs in a task of its own, named
``flowrt:<node id>``: a source's reads, the others' queues (:mod:`flowrt.run.workers`). The
sources' are the first stopped. Short tasks are spawned meanwhile: a node's ``ctx.spawn``, and an
acknowledgement that must be awaited (:func:`flowrt.run.delivery.settle`). A task that ends with
an unexpected error is logged against its node, and every task that ends calls ``changed``
(flow control looks again whether the runtime is idle).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from flowrt.run.ports import LogNode

log = logging.getLogger("flowrt.run")


class Tasks:
    def __init__(self, log_node: LogNode) -> None:
        self._log_node = log_node
        self.nodes: dict[asyncio.Task[Any], str] = {}
        """Each node's own task (a source's, a sink's, an async transform's) -> its node id."""
        self.sources: set[asyncio.Task[Any]] = set()
        """The sources' tasks still running."""
        self.spawned: set[asyncio.Task[Any]] = set()
        """The short tasks still running (``ctx.spawn``, acknowledgements)."""
        self.changed: Callable[[], None] = _nothing
        """Called whenever a task ends (flow control sets it, to detect idleness)."""

    def run(
        self, coro: Coroutine[Any, Any, Any], node_id: str, *, source: bool = False
    ) -> asyncio.Task[Any]:
        """Run a node's own task (``source``: a source's, stopped first)."""
        task = asyncio.get_running_loop().create_task(coro, name=f"flowrt:{node_id}")
        self.nodes[task] = node_id
        task.add_done_callback(self._node_done)
        if source:
            self.sources.add(task)
        return task

    def _node_done(self, task: asyncio.Task[Any]) -> None:
        node_id = self.nodes.pop(task, "")
        self.sources.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            assert exc is not None
            self._log_node(node_id, "error", f"stopped after an unexpected error: {exc!r}", None)
        self.changed()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> None:
        """Run a short task; its failure is logged (a node's own are caught before)."""
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self.spawned.add(task)
        task.add_done_callback(self._spawn_done)

    def _spawn_done(self, task: asyncio.Task[Any]) -> None:
        self.spawned.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("acknowledgement failed: %r", task.exception())
        self.changed()

    # stopping ----------------------------------------------------------------------------

    async def stop_sources(self) -> None:
        """Cancel the sources' tasks and wait for them to end."""
        for task in list(self.sources):
            task.cancel()
        await asyncio.gather(*self.sources, return_exceptions=True)

    async def finish_nodes(self, deadline: float) -> None:
        """Wait for the nodes' tasks to end (their queues are closed) until ``deadline`` (the
        loop's time; 0.1 s at least); cancel those that do not, leaving their messages
        unacknowledged."""
        running = [t for t in self.nodes if not t.done()]
        if running:
            left = max(0.1, deadline - asyncio.get_running_loop().time())
            _, late = await asyncio.wait(running, timeout=left)
            for task in late:
                log.warning("%s did not finish in time; its messages stay unacknowledged",
                            task.get_name())
                task.cancel()

    async def finish_spawned(self, timeout: float) -> None:
        """Wait for the short tasks to end within ``timeout`` seconds; cancel the others."""
        if self.spawned:
            _, late = await asyncio.wait(set(self.spawned), timeout=timeout)
            for task in late:
                task.cancel()


def _nothing() -> None:
    return None
