"""Stage 4: run a plan on asyncio.

``Runtime(plan).start()`` creates every node, wires their inputs into fused call chains
(:mod:`flowrt.run.dispatch`), starts sources, asynchronous transforms and sinks as tasks, and
returns. ``stop()`` shuts down gracefully, in Node-RED's order but without losing messages
(:mod:`flowrt.run.lifecycle`). ``wait_idle()`` returns once every source is exhausted and
nothing is in flight (``--until-idle``).

:class:`Runtime` is the facade of a runtime's parts, each owning its state and handed to the
others only as the piece they need (:mod:`flowrt.run.ports`):

- the node and connection instances made from the plan (:mod:`flowrt.run.instantiate`);
- flow control: in-flight counts, room, acknowledgement windows, idleness
  (:mod:`flowrt.run.flow_control`);
- the asyncio tasks it runs and their supervision (:mod:`flowrt.run.tasks`);
- its lifecycle: start, stop, the close hooks (:mod:`flowrt.run.lifecycle`);
- events: errors, status, completion and log lines (:mod:`flowrt.run.events`).
"""

from __future__ import annotations

import os
from collections.abc import Coroutine, Mapping
from typing import TYPE_CHECKING, Any

import flowrt.run.collector as collector
from flowrt.api import Ack, Connection
from flowrt.compile.plan import Plan
from flowrt.message import new_msgid
from flowrt.run.clock import Clock, RealClock
from flowrt.run.context import NodeContext, Services
from flowrt.run.delivery import Delivery
from flowrt.run.events import Events
from flowrt.run.flow_control import FlowControl
from flowrt.run.instantiate import Instances
from flowrt.run.lifecycle import CLOSE_TIMEOUT, Lifecycle, Parts, Phase
from flowrt.run.stores import Stores
from flowrt.run.tasks import Tasks
from flowrt.types import Message

if TYPE_CHECKING:
    from flowrt.group import Group
    from flowrt.run.hot_swap import Swap
    from flowrt.run.http import RouteTable
    from flowrt.run.ports import Tap

__all__ = ["CLOSE_TIMEOUT", "Runtime"]


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
        self._http: RouteTable | None = http
        """http-in routes; given when several runtimes share one server (`flowrt serve`)."""
        self.group = group
        """The group of workers this runtime is part of (``flowrt run --group``), or None."""
        self.group_name: str | None = group.name if group is not None else None

        self.events = Events(plan.nodes)
        self.fail = self.events.fail
        self.completed = self.events.completed
        self.set_status = self.events.set_status
        self.log_node = self.events.log_node
        self.instances = made = Instances()
        self.nodes = made.nodes
        self.contexts = made.contexts
        self.connections = made.connections
        self.queues = made.queues
        self.stats = made.stats
        """Node id -> [messages in, messages out: read (source), sent on, written (sink)]."""
        self.meter = made.meter
        """Processing times, batch sizes, connections (:mod:`flowrt.run.metrics`)."""
        self.inputs = made.inputs.given
        """Node id -> its input for messages given to it (see flowrt.run.dispatch)."""
        self.lent_inputs = made.inputs.lent
        """Node id -> its input for lent messages, for the nodes that only read them."""
        self.phase = Phase()
        self.tasks = Tasks(self.log_node)
        at_most_once = {n for n, pn in plan.nodes.items() if pn.guarantee == "at-most-once"}
        self.flow = FlowControl(self.clock, self.tasks, self.phase, made, at_most_once)
        self.windows = self.flow.windows
        self.inflow = self.flow.inflow
        self.full = self.flow.full
        self.room = self.flow.room
        self.ack_on_read = self.flow.ack_on_read
        services = Services(
            clock=self.clock, stores=self.stores, env=self.env, group=self.group_name,
            events=self.events, deliveries=self.flow, phase=self.phase, spawn=self.tasks.spawn,
            contexts=made.contexts, connection=made.connection, http=lambda: self.http,
            owner=self, meter=made.meter,
        )
        parts = Parts(plan, made, services, self.flow, self.tasks, group, (tap, tap_in))
        self.lifecycle = Lifecycle(self.phase, parts)
        self._collecting = False
        """Whether this runtime holds the collector's pace (:mod:`flowrt.run.collector`)."""

    # lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Create and start every node; raises ConfigError naming a node that cannot start."""
        await self.lifecycle.start()
        if not self._collecting:  # while it runs, the collector runs less often
            self._collecting = True
            collector.hold()

    async def stop(self, timeout: float = CLOSE_TIMEOUT) -> None:
        try:
            await self.lifecycle.stop(timeout)
        finally:
            if self._collecting:
                self._collecting = False
                collector.release()
        if self._http is not None:
            self._http.docs.detach(self)

    async def swap(self, plan: Plan, timeout: float = CLOSE_TIMEOUT) -> Swap:
        """Take the running flow to ``plan`` (a new plan of the same flows) node by node,
        keeping the nodes that did not change running (:mod:`flowrt.run.hot_swap`). Raises
        ValueError naming why it cannot be done so (then stop, and start the new plan)."""
        from flowrt.run.hot_swap import hot_swap
        from flowrt.run.plan_diff import diff_plans

        return await hot_swap(self, plan, diff_plans(self.plan, plan, self.group is not None),
                              timeout)

    @property
    def started(self) -> bool:
        return self.phase.started

    @property
    def stopping(self) -> bool:
        return self.phase.stopping

    @property
    def releasing(self) -> bool:
        return self.phase.releasing

    @property
    def watched_complete(self) -> set[str]:
        """The nodes that complete nodes watch."""
        return self.lifecycle.watched

    # flow --------------------------------------------------------------------------------

    @property
    def inflight(self) -> int:
        return self.flow.inflight

    async def wait_idle(self) -> None:
        """Return once every source is done and no message, timer or task is pending."""
        await self.flow.wait_idle()

    def is_idle(self) -> bool:
        return self.flow.is_idle()

    @property
    def spawned_count(self) -> int:
        return len(self.tasks.spawned)

    def new_delivery(self, ack: Ack | None = None) -> Delivery:
        return self.flow.new_delivery(ack)

    def finished(self, d: Delivery) -> None:
        self.flow.finished(d)

    def emit_source(self, node_id: str, msg: Message, ack: Ack | None) -> None:
        self.flow.emit_source(node_id, msg, ack)

    def inject(self, node_id: str, msg: Message) -> None:
        """Send a message into a node's input, as if a wire brought it (tests, the editor)."""
        if "_msgid" not in msg:
            msg["_msgid"] = new_msgid()
        d = self.flow.new_delivery()
        try:
            self.inputs[node_id](msg, d)
        finally:
            d.release()

    def spawn(self, ctx: NodeContext, coro: Coroutine[Any, Any, Any], msg: Message | None) -> None:
        """Run ``coro`` as a task of ``ctx``'s node (``ctx.spawn`` holds ``msg`` first)."""
        self.tasks.spawn(ctx.guarded(coro, msg), f"flowrt:{ctx.node_id}")

    # resources and reporting -------------------------------------------------------------

    @property
    def http(self) -> RouteTable:
        """The routes of http-in nodes, served by `flowrt run --http` or `flowrt serve`
        (made on first use, so flows without HTTP never load Starlette)."""
        if self._http is None:
            from flowrt.run.http import RouteTable

            self._http = RouteTable()
        self._http.docs.attach(self)  # its plan describes the routes its nodes add
        return self._http

    @property
    def has_http(self) -> bool:
        return self._http is not None and len(self._http) > 0

    def connection(self, connection_id: str, node_id: str) -> Connection:
        return self.instances.connection(connection_id, node_id)

    def summary(self) -> list[tuple[str, str, int, int]]:
        """(node id, type, messages in, messages out) for every node (see ``stats``)."""
        counts = dict(self.stats.items())  # one flush of the compiled runs' counts, not 2 a node
        return [
            (node_id, pn.type, counts[node_id][0], counts[node_id][1])
            for node_id, pn in self.plan.nodes.items()
        ]
