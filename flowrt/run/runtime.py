"""Stage 4: run a plan on asyncio.

``Runtime(plan).start()`` creates every node, wires their inputs into fused call chains
(:mod:`flowrt.run.dispatch`), starts sources, asynchronous transforms and sinks as tasks, and
returns. ``stop()`` shuts down gracefully, in Node-RED's order but without losing messages:

1. sources stop taking new messages (and are closed);
2. in-flight messages drain, within the deadline (15 s by default);
3. asynchronous transforms finish their queues, sinks write theirs and ``flush``;
4. nodes ``stop`` (held messages are released), connections close, context is written.

A message not finished by the deadline is left unacknowledged, so its broker redelivers it.
``wait_idle()`` returns once every source is exhausted and nothing is in flight (``--until-idle``).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any

from flowrt.api import Ack, AsyncTransform, Connection, Node, Sink, Source
from flowrt.compile.plan import Plan
from flowrt.errors import BufferFull, ConfigError
from flowrt.message import new_msgid
from flowrt.run.clock import Clock, RealClock
from flowrt.run.context import NodeContext
from flowrt.run.delivery import Delivery, settle
from flowrt.run.dispatch import Input, Tap, wire
from flowrt.run.events import Events
from flowrt.run.inflow import Inflow
from flowrt.run.queue import NodeQueue
from flowrt.run.sources import messages_read, reading
from flowrt.run.stores import Stores
from flowrt.run.windows import Windows
from flowrt.run.workers import run_async_transform, run_sink
from flowrt.types import Message

if TYPE_CHECKING:
    from flowrt.group import Group
    from flowrt.run.http import RouteTable

log = logging.getLogger("flowrt.run")
CLOSE_TIMEOUT = 15.0
BREATHE = 256
"""Nodes made or started between two returns to the event loop (a large deploy stalls nothing)."""


class Runtime:
    def __init__(
        self,
        plan: Plan,
        *,
        clock: Clock | None = None,
        stores: Stores | None = None,
        env: Mapping[str, str] | None = None,
        tap: Tap | None = None,
        tap_in: Tap | None = None,
        http: RouteTable | None = None,
        group: Group | None = None,
    ) -> None:
        self.plan = plan
        self.clock: Clock = clock or RealClock()
        self.stores = stores or Stores()
        self.env = dict(os.environ if env is None else env)
        self.tap = tap
        """Called with (node, port, copy) for every message a node sends (tests)."""
        self.tap_in = tap_in
        """Called with (node, 0, copy) for every message arriving at a node's input (tests)."""
        self.events = Events(self)
        self.fail = self.events.fail
        self.completed = self.events.completed
        self.set_status = self.events.set_status
        self.log_node = self.events.log_node
        self.nodes: dict[str, Node] = {}
        self.contexts: dict[str, NodeContext] = {}
        self.inputs: dict[str, Input] = {}
        """Node id -> its input for messages given to it (see flowrt.run.dispatch)."""
        self.lent_inputs: dict[str, Input] = {}
        """Node id -> its input for lent messages, for the nodes that only read them."""
        self.queues: dict[str, NodeQueue] = {}
        self.stats: dict[str, list[int]] = {}
        """Node id -> [messages in, messages out: read (source), sent on, written (sink)]."""
        self.connections: dict[str, Connection] = {}
        self._http: RouteTable | None = http
        """http-in routes; given when several runtimes share one server (`flowrt serve`)."""
        self.group = group
        """The group of workers this runtime is part of (``flowrt run --group``), or None."""
        self.group_name: str | None = group.name if group is not None else None
        self.watched_complete: set[str] = set()
        self.inflight = 0
        self.stopping = False
        self.releasing = False
        self.windows = Windows()
        self.inflow = Inflow()
        self.full: set[NodeQueue] = set()
        self.room = asyncio.Event()
        self.room.set()
        self._tasks: dict[asyncio.Task[Any], str] = {}
        self._source_tasks: set[asyncio.Task[Any]] = set()
        self._spawned: set[asyncio.Task[Any]] = set()
        self._idle = asyncio.Event()
        self.clock.on_idle = self._check_idle
        self.started = False
        self.ack_on_read = {n for n, pn in plan.nodes.items() if pn.guarantee == "at-most-once"}
        """Sources declared ``guarantee: at-most-once``: acknowledged as soon as read."""
        self._retire_count: Callable[[], None] | None = None

    # building ----------------------------------------------------------------------------

    async def _build(self) -> None:
        for conn_id, pc in self.plan.connections.items():
            ctx = NodeContext(self, _as_planned(pc), self.env)
            self.connections[conn_id] = pc.spec.cls(conn_id, pc.config, ctx)  # type: ignore[assignment]
        for i, (node_id, pn) in enumerate(self.plan.nodes.items(), 1):
            if i % BREATHE == 0:
                await asyncio.sleep(0)
            ctx = NodeContext(self, pn, self.env)
            node = pn.spec.cls(node_id, pn.config, ctx)
            self.nodes[node_id] = node
            self.contexts[node_id] = ctx
            self.stats[node_id] = [0, 0]
            if isinstance(node, Sink | AsyncTransform):
                limit = int(getattr(pn.config, "buffer", 0) or getattr(node, "queue_size", 1000))
                overflow = getattr(pn.config, "overflow", "block")
                self.queues[node_id] = NodeQueue(
                    node_id, limit, self._queue_full, overflow, self._dropper(node_id, limit)
                )
        self.watched_complete = self.events.index(self.nodes, self.plan.nodes)
        wire(self)

    @property
    def http(self) -> RouteTable:
        """The routes of http-in nodes, served by `flowrt run --http` or `flowrt serve`
        (made on first use, so flows without HTTP never load Starlette)."""
        if self._http is None:
            from flowrt.run.http import RouteTable

            self._http = RouteTable()
        return self._http

    @property
    def has_http(self) -> bool:
        return self._http is not None and len(self._http) > 0

    def connection(self, connection_id: str, node_id: str) -> Connection:
        conn = self.connections.get(connection_id)
        if conn is None:
            raise ConfigError(f"unknown connection '{connection_id}'", node=node_id)
        return conn

    # lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Create and start every node; raises ConfigError naming a node that cannot start."""
        await self._build()
        for conn_id, conn in self.connections.items():
            try:
                await conn.open()
            except Exception as exc:
                log.warning("connection %s: %s (nodes using it will retry)", conn_id, exc)
        for i, (node_id, node) in enumerate(self.nodes.items(), 1):
            if i % BREATHE == 0:
                await asyncio.sleep(0)
            try:
                await node.start()
            except Exception as exc:
                await self._stop_nodes()
                await asyncio.gather(*(_bounded(c.close(), 5.0, i)
                                       for i, c in self.connections.items()))
                pn = self.plan.nodes[node_id]
                raise ConfigError(
                    f"{pn.file}:{pn.line}: node '{node_id}' ({pn.type}) cannot start: {exc}",
                    node=node_id,
                ) from exc
        self.started = True
        for node_id, node in self.nodes.items():
            ctx = self.contexts[node_id]
            if isinstance(node, Sink):
                self.inflow.sink(self.queues[node_id], self.windows)
                self._task(run_sink(self, node, ctx), node_id)
            elif isinstance(node, AsyncTransform):
                self.inflow.transform(self.queues[node_id])
                self._task(run_async_transform(self, node, ctx), node_id)
        if self.group is not None:
            self._retire_count = self.group.count(lambda: messages_read(self))
        for node_id, node in self.nodes.items():
            if isinstance(node, Source) and type(node).read is not Source.read:
                coro = reading(self, node, self.contexts[node_id])
                self._source_tasks.add(self._task(coro, node_id))
        self._check_idle()

    def _task(self, coro: Coroutine[Any, Any, Any], node_id: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=f"flowrt:{node_id}")
        self._tasks[task] = node_id
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        node_id = self._tasks.pop(task, "")
        self._source_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            exc = task.exception()
            assert exc is not None
            self.log_node(node_id, "error", f"stopped after an unexpected error: {exc!r}", None)
        self._check_idle()

    async def stop(self, timeout: float = CLOSE_TIMEOUT) -> None:
        if self.stopping:
            return
        self.stopping = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        for task in list(self._source_tasks):
            task.cancel()
        await asyncio.gather(*self._source_tasks, return_exceptions=True)
        for node in self.nodes.values():
            if isinstance(node, Source):
                await _bounded(node.close(), max(0.1, deadline - loop.time()), node.id)
        self.room.set()
        await self._drain(deadline)
        for queue in self.queues.values():
            queue.close()
        workers = [t for t in self._tasks if not t.done()]
        if workers:
            _, late = await asyncio.wait(workers, timeout=max(0.1, deadline - loop.time()))
            for task in late:
                log.warning("%s did not finish in time; its messages stay unacknowledged",
                            task.get_name())
                task.cancel()
        for node in self.nodes.values():
            if isinstance(node, Sink):
                await _bounded(node.flush(), max(0.1, deadline - loop.time()), node.id)
        await self._stop_nodes()
        if self._spawned:
            _, late = await asyncio.wait(set(self._spawned), timeout=5.0)
            for task in late:
                task.cancel()
        for conn_id, conn in self.connections.items():
            await _bounded(conn.close(), 5.0, conn_id)
        if self._retire_count is not None:
            self._retire_count()
        self.stores.close()

    async def _drain(self, deadline: float) -> None:
        """Wait until nothing is moving: no queued or running work, only held messages left."""
        loop = asyncio.get_running_loop()
        while self.inflight > 0 and loop.time() < deadline:
            if not self._spawned and all(not q.items and not q.busy for q in self.queues.values()):
                break
            self._idle.clear()
            try:
                await asyncio.wait_for(self._idle.wait(), timeout=min(0.05, deadline - loop.time()))
            except TimeoutError:
                pass

    async def _stop_nodes(self) -> None:
        """Stop every node. Messages still held are given up: nacked, so brokers redeliver."""
        self.releasing = True
        for node_id, node in self.nodes.items():
            await _bounded(node.stop(), CLOSE_TIMEOUT, node_id)
            self.contexts[node_id].release_held()

    async def wait_idle(self) -> None:
        """Return once every source is done and no message, timer or task is pending."""
        while not self.is_idle():
            self._idle.clear()
            await self._idle.wait()

    @property
    def spawned_count(self) -> int:
        return len(self._spawned)

    def is_idle(self) -> bool:
        return (
            self.started
            and not self._source_tasks
            and self.inflight == 0
            and self.clock.pending == 0
            and not self._spawned
        )

    def _check_idle(self) -> None:
        if self.is_idle() or self.inflight == 0:
            self._idle.set()

    # messages ----------------------------------------------------------------------------

    def new_delivery(self, ack: Ack | None = None) -> Delivery:
        self.inflight += 1
        return Delivery(self.finished, ack)

    def finished(self, d: Delivery) -> None:
        if not d.parents:
            self.inflight -= 1
        if d.window is not None:
            d.window[0] -= 1
        if d.ack is not None:
            settle(d.ack, d.failed, self._settle)
        if self.inflight == 0:
            self._check_idle()

    def _settle(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._spawned.add(task)
        task.add_done_callback(self._spawn_done)

    def emit_source(self, node_id: str, msg: Message, ack: Ack | None) -> None:
        if "_msgid" not in msg:
            msg["_msgid"] = new_msgid()
        self.stats[node_id][1] += 1
        if ack is not None and node_id in self.ack_on_read:
            settle(ack, False, self._settle)
            ack = None
        d = self.new_delivery(ack)
        if ack is not None and node_id in self.windows.by_source:
            self.windows.took(node_id, d)
        try:
            self.contexts[node_id].emit(msg, d)
        finally:
            d.release()

    def inject(self, node_id: str, msg: Message) -> None:
        """Send a message into a node's input, as if a wire brought it (tests, the editor)."""
        if "_msgid" not in msg:
            msg["_msgid"] = new_msgid()
        d = self.new_delivery()
        try:
            self.inputs[node_id](msg, d)
        finally:
            d.release()

    def spawn(self, ctx: NodeContext, coro: Coroutine[Any, Any, Any], msg: Message | None) -> None:
        async def guarded() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if msg is not None:
                    ctx.done(msg, exc)
                else:
                    self.fail(ctx.node_id, None, None, exc)
            else:
                if msg is not None:
                    ctx.done(msg)

        task = asyncio.get_running_loop().create_task(guarded(), name=f"flowrt:{ctx.node_id}")
        self._spawned.add(task)
        task.add_done_callback(self._spawn_done)

    def _spawn_done(self, task: asyncio.Task[Any]) -> None:
        self._spawned.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("acknowledgement failed: %r", task.exception())
        self._check_idle()

    def _dropper(self, node_id: str, limit: int) -> Callable[[tuple[Message, Delivery]], None]:
        def drop(item: tuple[Message, Delivery]) -> None:
            msg, d = item
            self.fail(node_id, msg, d, BufferFull(limit))
            d.release()

        return drop

    def _queue_full(self, queue: NodeQueue, full: bool) -> None:
        if full:
            self.full.add(queue)
            self.room.clear()
        else:
            self.full.discard(queue)
            if not self.full:
                self.room.set()

    # reporting ---------------------------------------------------------------------------

    def summary(self) -> list[tuple[str, str, int, int]]:
        """(node id, type, messages in, messages out) for every node (see ``stats``)."""
        return [
            (node_id, pn.type, self.stats[node_id][0], self.stats[node_id][1])
            for node_id, pn in self.plan.nodes.items()
        ]


def _as_planned(pc: Any) -> Any:
    from flowrt.compile.plan import PlannedNode

    return PlannedNode(id=pc.id, spec=pc.spec, config=pc.config, flow=pc.flow, wires=(), env={})


async def _bounded(coro: Coroutine[Any, Any, Any], timeout: float, who: str) -> None:
    try:
        await asyncio.wait_for(coro, timeout)
    except TimeoutError:
        log.warning("%s did not close within %.0f s", who, timeout)
    except Exception as exc:
        log.warning("%s failed while closing: %r", who, exc)
