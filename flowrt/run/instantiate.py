"""Instantiation: the node and connection instances a runtime makes from its plan.

Each connection and node of the plan becomes an instance of its type, with its own
:class:`~flowrt.run.context.NodeContext`; an asynchronous node (a sink, an async transform) gets
the bounded queue in front of it (:mod:`flowrt.run.queue`). Then the event listeners (catch,
status, complete) are found, and every node's inputs are wired to their targets
(:mod:`flowrt.run.dispatch`), a linear run of synchronous nodes as one loop
(:mod:`flowrt.run.fuse`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from flowrt.api import AsyncTransform, Connection, Node, Sink
from flowrt.compile.plan import Plan, PlannedConnection, PlannedNode
from flowrt.errors import BufferFull, ConfigError
from flowrt.run.context import NodeContext
from flowrt.run.dispatch import Inputs, Station, Wiring, wire
from flowrt.run.fuse import fuse_runs
from flowrt.run.fuse_counts import Counts, count_list
from flowrt.run.metrics import Meter
from flowrt.run.queue import NodeQueue
from flowrt.run.spans import Spans
from flowrt.run.tracing import NodeTrace, active

if TYPE_CHECKING:
    from flowrt.run.context import Services
    from flowrt.run.delivery import Delivery
    from flowrt.run.ports import Fail, Tap
    from flowrt.types import Message

BREATHE = 256
"""Nodes made or started between two returns to the event loop (a large deploy stalls nothing)."""
QueueFull = Callable[[NodeQueue, bool], None]


@dataclass(slots=True)
class Instances:
    """What a runtime made of its plan (empty until it starts)."""

    nodes: dict[str, Node] = field(default_factory=dict)
    contexts: dict[str, NodeContext] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)
    queues: dict[str, NodeQueue] = field(default_factory=dict)
    """The asynchronous nodes' queues."""
    stats: dict[str, list[int]] = field(default_factory=Counts)
    """Node id -> [messages in, messages out: read (source), sent on, written (sink)]."""
    inputs: Inputs = field(default_factory=Inputs)
    """Each node's inputs, as dispatch wired them."""
    meter: Meter = field(default_factory=Meter)
    """Processing times, batch sizes, connections (:mod:`flowrt.run.metrics`)."""
    tracing: Spans | None = field(default_factory=active)
    """A span per node visit, when tracing is on (:mod:`flowrt.run.tracing`)."""

    def connection(self, connection_id: str, node_id: str) -> Connection:
        conn = self.connections.get(connection_id)
        if conn is None:
            raise ConfigError(f"unknown connection '{connection_id}'", node=node_id)
        return conn


async def instantiate(
    plan: Plan,
    into: Instances,
    services: Services,
    queue_full: QueueFull,
    taps: tuple[Tap | None, Tap | None] = (None, None),
) -> set[str]:
    """Make every connection and node of ``plan`` into ``into``, and wire them. Nodes get their
    contexts from ``services``; a queue over its bound calls ``queue_full``; ``taps`` are the
    (sent, received) taps. Returns the ids of the nodes that complete nodes watch."""
    events = services.events
    for pc in plan.connections.values():
        make_connection(pc, into, services)
    for i, pn in enumerate(plan.nodes.values(), 1):
        if i % BREATHE == 0:
            await asyncio.sleep(0)
        make_node(pn, into, services, queue_full)
    watched = events.index(into.nodes, into.inputs.given, services.deliveries.new_delivery)
    stations = {node_id: station(into, pn) for node_id, pn in plan.nodes.items()}
    wire(stations, Wiring(events.fail, events.completed, watched, *taps), into.inputs, fuse_runs)
    return watched


def station(into: Instances, pn: PlannedNode) -> Station:
    """A node of ``into`` as wiring sees it; a synchronous node gets its processing-time
    histogram (an asynchronous one is timed by its loop, :mod:`flowrt.run.workers`)."""
    node_id = pn.id
    node = into.nodes[node_id]
    queue = into.queues.get(node_id)
    timed = queue is None and callable(getattr(node, "process", None))
    meter = into.meter
    ctx = into.contexts[node_id]
    trace = ctx.trace = NodeTrace(into.tracing, pn, ctx.held) if into.tracing else None
    if not timed:
        return Station(pn, node, ctx, count_list(into.stats, node_id), queue, trace=trace)
    arms = meter.armers_of(node_id)
    arms.clear()  # wired again (a hot swap): the inputs made before are gone
    return Station(pn, node, ctx, count_list(into.stats, node_id), queue, meter.timing(node_id),
                   arms, meter.always, trace)


def make_node(pn: PlannedNode, into: Instances, services: Services, queue_full: QueueFull) -> Node:
    """Make one node of the plan into ``into``: its instance, context, counts and, for an
    asynchronous node, its queue (not wired: see :func:`instantiate`)."""
    node_id = pn.id
    ctx = NodeContext(services, pn)
    node: Node = pn.spec.cls(node_id, pn.config, ctx)
    into.nodes[node_id] = node
    into.contexts[node_id] = ctx
    into.stats[node_id] = [0, 0]
    if isinstance(node, Sink | AsyncTransform):
        limit = int(getattr(pn.config, "buffer", 0) or getattr(node, "queue_size", 1000))
        overflow = getattr(pn.config, "overflow", "block")
        into.queues[node_id] = NodeQueue(
            node_id, limit, queue_full, overflow, _dropper(node_id, limit, services.events.fail)
        )
    return node


def make_connection(pc: PlannedConnection, into: Instances, services: Services) -> None:
    """Make one connection of the plan into ``into`` (not opened)."""
    ctx = NodeContext(services, _as_planned(pc))
    into.connections[pc.id] = pc.spec.cls(pc.id, pc.config, ctx)  # type: ignore[assignment]


def _dropper(node_id: str, limit: int, fail: Fail) -> Callable[[tuple[Message, Delivery]], None]:
    def drop(item: tuple[Message, Delivery]) -> None:
        msg, d = item
        fail(node_id, msg, d, BufferFull(limit))
        d.release()

    return drop


def _as_planned(pc: PlannedConnection) -> PlannedNode:
    return PlannedNode(id=pc.id, spec=pc.spec, config=pc.config, flow=pc.flow, wires=(), env={})
