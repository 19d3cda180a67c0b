"""Starting and stopping a runtime's parts, in order.

``start`` makes every node (:mod:`flowrt.run.instantiate`), opens the connections, starts the
nodes, then runs a task for each sink, asynchronous transform and source
(:mod:`flowrt.run.tasks`). A node that cannot start stops the ones started before it.

``stop`` shuts down gracefully, in Node-RED's order but without losing messages:

1. sources stop taking new messages (and are closed);
2. in-flight messages drain, within the deadline (15 s by default);
3. asynchronous transforms finish their queues, sinks write theirs and ``flush``;
4. nodes ``stop`` (held messages are released), connections close, then the close hooks run
   (a source's journal, :meth:`Lifecycle.on_close`), and context is written.

A message not finished by the deadline is left unacknowledged, so its broker redelivers it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flowrt.api import AsyncTransform, Sink, Source
from flowrt.errors import ConfigError
from flowrt.run.fuse_counts import count_list
from flowrt.run.instantiate import BREATHE, Instances, instantiate
from flowrt.run.sources import Readers, messages_read, reading
from flowrt.run.workers import Engine, run_async_transform, run_sink

if TYPE_CHECKING:
    from flowrt.compile.plan import Plan
    from flowrt.group import Group
    from flowrt.run.context import Services
    from flowrt.run.flow_control import FlowControl
    from flowrt.run.ports import Close, Tap
    from flowrt.run.tasks import Tasks

log = logging.getLogger("flowrt.run")
CLOSE_TIMEOUT = 15.0


@dataclass(slots=True)
class Phase:
    """Where a runtime is in its life. Only its lifecycle changes it; the other parts read it
    (as a :class:`flowrt.run.ports.Phase`)."""

    started: bool = False
    stopping: bool = False
    releasing: bool = False


@dataclass(frozen=True, slots=True)
class Parts:
    """The parts of a runtime its lifecycle starts and stops."""

    plan: Plan
    instances: Instances
    services: Services
    flow: FlowControl
    tasks: Tasks
    group: Group | None = None
    taps: tuple[Tap | None, Tap | None] = (None, None)


class Lifecycle:
    def __init__(self, phase: Phase, parts: Parts) -> None:
        self.phase = phase
        self.parts = parts
        self.watched: set[str] = set()
        """The nodes that complete nodes watch (known once started)."""
        self._closers: list[tuple[str, Close]] = []
        self._retire_count: Callable[[], None] | None = None

    def on_close(self, name: str, close: Close) -> None:
        """Declare a close hook: ``close()`` runs at the very end of a stop, after the
        connections closed (within 5 s; ``name`` says which in the log if it does not)."""
        self._closers.append((name, close))

    async def build(self) -> None:
        """Make every connection and node, and wire them (the first step of ``start``)."""
        p = self.parts
        self.watched = await instantiate(p.plan, p.instances, p.services, p.flow.queue_full,
                                         p.taps)

    async def start(self) -> None:
        """Create and start every node; raises ConfigError naming a node that cannot start."""
        await self.build()
        for conn_id, conn in self.parts.instances.connections.items():
            try:
                await conn.open()
            except Exception as exc:
                log.warning("connection %s: %s (nodes using it will retry)", conn_id, exc)
        await self._start_nodes()
        self.phase.started = True
        self.run_tasks()
        self.parts.instances.meter.start()
        self.parts.flow.check_idle()

    async def _start_nodes(self) -> None:
        """Start every node; if one cannot, stop them all and close the connections."""
        made = self.parts.instances
        for i, (node_id, node) in enumerate(made.nodes.items(), 1):
            if i % BREATHE == 0:
                await asyncio.sleep(0)
            try:
                await node.start()
            except Exception as exc:
                await self._stop_nodes()
                await asyncio.gather(*(_bounded(c.close(), 5.0, i)
                                       for i, c in made.connections.items()))
                pn = self.parts.plan.nodes[node_id]
                raise ConfigError(
                    f"{pn.file}:{pn.line}: node '{node_id}' ({pn.type}) cannot start: {exc}",
                    node=node_id,
                ) from exc

    def run_tasks(self, only: Collection[str] | None = None) -> None:
        """A task for each sink and asynchronous transform (their queues), then for each source
        that reads (``only``: of these nodes, started into a running flow by a hot swap)."""
        p = self.parts
        made = p.instances
        engine = Engine(self.phase, p.services.clock, p.services.events, made.meter)
        nodes = made.nodes if only is None else {n: made.nodes[n] for n in only}
        for node_id, node in nodes.items():
            ctx, watched = made.contexts[node_id], node_id in self.watched
            if isinstance(node, Sink):
                p.flow.inflow.sink(made.queues[node_id], p.flow.windows)
                p.tasks.run(run_sink(engine, node, ctx, made.queues[node_id],
                                     count_list(made.stats, node_id), watched), node_id)
            elif isinstance(node, AsyncTransform):
                p.flow.inflow.transform(made.queues[node_id])
                p.tasks.run(run_async_transform(engine, node, ctx, made.queues[node_id], watched),
                            node_id)
        if p.group is not None and only is None:
            self._retire_count = p.group.count(lambda: messages_read(made))
        readers = Readers(engine, p.flow, p.plan.nodes, p.group, self.on_close)
        for node_id, node in nodes.items():
            if isinstance(node, Source) and type(node).read is not Source.read:
                p.tasks.run(reading(readers, node, made.contexts[node_id]), node_id, source=True)

    async def stop(self, timeout: float = CLOSE_TIMEOUT) -> None:
        if self.phase.stopping:
            return
        self.phase.stopping = True
        self.parts.instances.meter.stop()
        p = self.parts
        made = p.instances
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        await p.tasks.stop_sources()
        for node in made.nodes.values():
            if isinstance(node, Source):
                await _bounded(node.close(), max(0.1, deadline - loop.time()), node.id)
        p.flow.room.set()
        await p.flow.drain(deadline)
        for queue in made.queues.values():
            queue.close()
        await p.tasks.finish_nodes(deadline)
        for node in made.nodes.values():
            if isinstance(node, Sink):
                await _bounded(node.flush(), max(0.1, deadline - loop.time()), node.id)
        await self._stop_nodes()
        await p.tasks.finish_spawned(5.0)
        for conn_id, conn in made.connections.items():
            await _bounded(conn.close(), 5.0, conn_id)
        for name, close in self._closers:
            await _bounded(close(), 5.0, name)
        if self._retire_count is not None:
            self._retire_count()
        p.services.stores.close()

    async def _stop_nodes(self) -> None:
        """Stop every node. Messages still held are given up: nacked, so brokers redeliver."""
        self.phase.releasing = True
        made = self.parts.instances
        for node_id, node in made.nodes.items():
            await _bounded(node.stop(), CLOSE_TIMEOUT, node_id)
            made.contexts[node_id].release_held()


async def _bounded(coro: Awaitable[Any], timeout: float, who: str) -> None:
    try:
        async with asyncio.timeout(timeout):
            await coro
    except TimeoutError:
        log.warning("%s did not close within %.0f s", who, timeout)
    except Exception as exc:
        log.warning("%s failed while closing: %r", who, exc)
