"""Instantiation: the node and connection instances a runtime makes from its plan.

Each connection and node of the plan becomes an instance of its type, with its own
:class:`~flowrt.run.context.NodeContext`; an asynchronous node (a sink, an async transform) gets
the bounded queue in front of it (:mod:`flowrt.run.queue`). Then the event listeners (catch,
status, complete) are found, and every node's inputs are wired to their targets
(:mod:`flowrt.run.dispatch`).
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
from flowrt.run.queue import NodeQueue

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
    stats: dict[str, list[int]] = field(default_factory=dict)
    """Node id -> [messages in, messages out: read (source), sent on, written (sink)]."""
    inputs: Inputs = field(default_factory=Inputs)
    """Each node's inputs, as dispatch wired them."""

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
    for conn_id, pc in plan.connections.items():
        ctx = NodeContext(services, _as_planned(pc))
        into.connections[conn_id] = pc.spec.cls(conn_id, pc.config, ctx)  # type: ignore[assignment]
    for i, (node_id, pn) in enumerate(plan.nodes.items(), 1):
        if i % BREATHE == 0:
            await asyncio.sleep(0)
        ctx = NodeContext(services, pn)
        node = pn.spec.cls(node_id, pn.config, ctx)
        into.nodes[node_id] = node
        into.contexts[node_id] = ctx
        into.stats[node_id] = [0, 0]
        if isinstance(node, Sink | AsyncTransform):
            limit = int(getattr(pn.config, "buffer", 0) or getattr(node, "queue_size", 1000))
            overflow = getattr(pn.config, "overflow", "block")
            into.queues[node_id] = NodeQueue(
                node_id, limit, queue_full, overflow, _dropper(node_id, limit, events.fail)
            )
    watched = events.index(into.nodes, into.inputs.given, services.deliveries.new_delivery)
    stations = {
        node_id: Station(pn, into.nodes[node_id], into.contexts[node_id], into.stats[node_id],
                         into.queues.get(node_id))
        for node_id, pn in plan.nodes.items()
    }
    wire(stations, Wiring(events.fail, events.completed, watched, *taps), into.inputs)
    return watched


def _dropper(node_id: str, limit: int, fail: Fail) -> Callable[[tuple[Message, Delivery]], None]:
    def drop(item: tuple[Message, Delivery]) -> None:
        msg, d = item
        fail(node_id, msg, d, BufferFull(limit))
        d.release()

    return drop


def _as_planned(pc: PlannedConnection) -> PlannedNode:
    return PlannedNode(id=pc.id, spec=pc.spec, config=pc.config, flow=pc.flow, wires=(), env={})
