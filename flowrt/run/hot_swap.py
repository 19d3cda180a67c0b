"""Hot swap: replace the changed nodes of a running flow, keeping the others running.

``await hot_swap(runtime, plan, diff)`` takes a running runtime to ``plan`` (a new plan of the
same flows, compared by :func:`flowrt.run.plan_diff.diff_plans`) node by node. The nodes that
did not change keep running with everything they hold: their node context, their timers, their
open connections, the messages they queue or hold (a delay node's queue, a join's parts). Flow
and global context are untouched. In order:

1. **Park.** The kept nodes are rewired to the new plan's wires at once; what they send to a
   node being started or replaced waits, counted as in flight, in a parking list. Nothing new
   reaches a node being stopped.
2. **Stop** the replaced and removed nodes, as a stop does for a whole flow but for them alone:
   sources stop reading and close; an asynchronous node (a sink, an async transform) finishes
   the messages already on its queue (what it sends goes through the new wiring), within the
   deadline; sinks flush; then each node stops, and the messages it still holds are given up
   as at a stop: failed, so a broker's message is nacked and redelivered, the others are lost;
   :attr:`Swap.given_up` counts them per node, and a warning names the node. Their node context
   stays in the store (a replaced node finds it again). Connections that changed or are gone
   close once no node uses them.
3. **Start** new connections, then the new and replaced nodes, which are wired first so that a
   node sending from ``start`` reaches its targets.
4. **Install.** Every node's inputs and outputs are wired to the new plan, the catch, status and
   complete nodes indexed again, the parked messages delivered to the nodes they were sent to,
   and the new nodes' tasks run.

The order (stop, then start) lets a replaced node give back what its successor takes again:
an HTTP route, a broker subscription. A node that cannot start stops the whole runtime
(:class:`~flowrt.errors.ConfigError`, as a flow that cannot start).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from flowrt.api import Node, Sink, Source
from flowrt.compile.plan import Plan, PlannedNode
from flowrt.errors import ConfigError
from flowrt.run.dispatch import Inputs, Station, Wiring, is_reader, make_emits, make_input, wire
from flowrt.run.fuse import fuse_runs, unfused
from flowrt.run.fuse_counts import count_list, flush_counts
from flowrt.run.instantiate import make_connection, make_node, station
from flowrt.run.lifecycle import CLOSE_TIMEOUT, Phase, _bounded
from flowrt.run.plan_diff import PlanDiff

if TYPE_CHECKING:
    from flowrt.run.delivery import Delivery
    from flowrt.run.events import Events
    from flowrt.run.flow_control import FlowControl
    from flowrt.run.instantiate import Instances
    from flowrt.run.lifecycle import Lifecycle
    from flowrt.run.ports import Input
    from flowrt.run.tasks import Tasks
    from flowrt.types import Message

log = logging.getLogger("flowrt.run")


class Runtime(Protocol):
    """The parts of a :class:`flowrt.run.runtime.Runtime` a hot swap works on."""

    plan: Plan
    instances: Instances
    events: Events
    flow: FlowControl
    tasks: Tasks
    lifecycle: Lifecycle


@dataclass
class Swap:
    """What a hot swap did."""

    replaced: list[str] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)
    rewired: list[str] = field(default_factory=list)
    connections: dict[str, list[str]] = field(default_factory=dict)
    given_up: dict[str, int] = field(default_factory=dict)
    """Node -> messages it held when it stopped, given up (failed; a broker's are nacked)."""
    parked: int = 0
    """Messages sent to a starting node during the swap, delivered once it started."""


async def hot_swap(rt: Runtime, plan: Plan, diff: PlanDiff,
                   timeout: float = CLOSE_TIMEOUT) -> Swap:
    """Take running ``rt`` to ``plan`` node by node (see the module docs). Raises ValueError
    when ``diff`` says it cannot be done so, ConfigError (the runtime stopped) when a new node
    cannot start."""
    if diff.unsafe:
        raise ValueError("; ".join(diff.unsafe))
    if not rt.lifecycle.phase.started or rt.lifecycle.phase.stopping:
        raise ValueError("the runtime is not running")
    going = [*diff.replace, *diff.stop]
    coming = [n for n in plan.nodes if n in set(diff.start) | set(diff.replace)]
    swap = Swap(sorted(diff.replace), sorted(diff.start), sorted(diff.stop), sorted(diff.rewire),
                {k: sorted(v) for k, v in diff.connections.items()})
    rt.events.planned = {**rt.plan.nodes, **plan.nodes}
    parked = _park(rt, plan, set(going), coming)
    await _stop(rt, going, timeout, swap)
    await _retire_connections(rt, [*diff.connections["replace"], *diff.connections["stop"]])
    try:
        await _start(rt, plan, coming, [*diff.connections["start"],
                                        *diff.connections["replace"]])
    except ConfigError:
        for _, _, d in parked:
            d.failed = True
            d.release()
        parked.clear()
        await rt.lifecycle.stop(timeout)
        raise
    _install(rt, plan, coming, parked)
    swap.parked = len(parked)
    return swap


# 1. park -----------------------------------------------------------------------------------

def _park(rt: Runtime, plan: Plan, going: set[str], coming: list[str]
          ) -> list[tuple[str, Message, Delivery]]:
    """Rewire the running nodes so that nothing reaches a going node, and what is sent to a
    coming one waits in the returned list."""
    made = rt.instances
    parked: list[tuple[str, Message, Delivery]] = []

    def parking(node_id: str) -> Input:
        def park(msg: Message, d: Delivery) -> None:
            d.pending += 1
            parked.append((node_id, msg, d))

        return park

    flush_counts()  # the runs about to be unwired: their counts into their nodes' before
    own_given, own_lent = unfused(made.inputs)  # a fused run would reach going nodes
    given = {n: f for n, f in own_given.items() if n not in going}
    given.update((n, parking(n)) for n in coming)
    lent = {n: f for n, f in own_lent.items() if n not in going}
    interim = Inputs(given, lent)
    tap = rt.lifecycle.parts.taps[0]
    for node_id, node in made.nodes.items():
        pn = rt.plan.nodes[node_id] if node_id in going else plan.nodes[node_id]
        st = Station(_only_to(pn, given), node, made.contexts[node_id],
                     count_list(made.stats, node_id), made.queues.get(node_id))
        st.ctx.emit, st.ctx.emit_lent = make_emits(st, interim, tap)
    _replace(made.inputs, interim)
    # a replaced catch or status node still takes events, parked for its successor
    listening = {n: node for n, node in made.nodes.items() if n in given}
    _index(rt, listening)
    return parked


def _only_to(pn: PlannedNode, targets: Collection[str]) -> PlannedNode:
    """``pn`` wired only to ``targets`` (a stopping node's wires to nodes that are gone)."""
    wires = tuple(tuple(t for t in port if t in targets) for port in pn.wires)
    return pn if wires == pn.wires else dataclasses.replace(pn, wires=wires)


def _replace(inputs: Inputs, new: Inputs) -> None:
    """Put ``new``'s inputs in ``inputs``, in place (the events and the runtime hold its maps)."""
    inputs.given.clear()
    inputs.given.update(new.given)
    inputs.lent.clear()
    inputs.lent.update(new.lent)
    inputs.unfused.clear()
    inputs.unfused.update(new.unfused)


def _index(rt: Runtime, nodes: Mapping[str, Node]) -> set[str]:
    events = rt.events
    events.catchers.clear()
    events.status_listeners.clear()
    events.complete_listeners.clear()
    return events.index(nodes, rt.instances.inputs.given, rt.flow.new_delivery)


# 2. stop -----------------------------------------------------------------------------------

async def _stop(rt: Runtime, going: list[str], timeout: float, swap: Swap) -> None:
    """Stop the going nodes as a stop stops a whole runtime (see the module docs)."""
    made, tasks, flow = rt.instances, rt.tasks, rt.flow
    if not going:
        return
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    ids = set(going)
    for n in going:  # these nodes alone are stopping (their contexts see it)
        ctx = made.contexts[n]
        ctx.services = dataclasses.replace(ctx.services, phase=Phase(True, True, False))
    sources = [t for t in tasks.sources if tasks.nodes.get(t) in ids]
    for task in sources:
        task.cancel()
    await asyncio.gather(*sources, return_exceptions=True)
    for n in going:
        node = made.nodes[n]
        if isinstance(node, Source):
            await _bounded(node.close(), max(0.1, deadline - loop.time()), n)
    queues = [made.queues[n] for n in going if n in made.queues]
    for queue in queues:
        queue.close()
    running = [t for t, n in tasks.nodes.items() if n in ids and not t.done()]
    if running:
        _, late = await asyncio.wait(running, timeout=max(0.1, deadline - loop.time()))
        for task in late:
            log.warning("%s did not finish in time; its messages stay unacknowledged",
                        task.get_name())
            task.cancel()
    for n in going:
        node = made.nodes[n]
        if isinstance(node, Sink):
            await _bounded(node.flush(), max(0.1, deadline - loop.time()), n)
    names = {f"flowrt:{n}" for n in going}
    spawned = [t for t in tasks.spawned if t.get_name() in names]
    for n in going:
        ctx = made.contexts[n]
        ctx.services.phase.releasing = True  # type: ignore[misc]
        given_up = len(ctx.held)  # what it holds now is given up, by its stop or here
        await _bounded(made.nodes[n].stop(), CLOSE_TIMEOUT, n)
        ctx.release_held()
        if given_up:
            swap.given_up[n] = given_up
            rt.events.log_node(n, "warning", f"replaced or removed by a deploy: {given_up} "
                               "message(s) it held were given up (a broker's are nacked, to "
                               "be redelivered)", None)
    if spawned:
        _, late = await asyncio.wait(spawned, timeout=5.0)
        for task in late:
            task.cancel()
    for queue in queues:
        if queue.full:
            flow.queue_full(queue, False)
        if queue in flow.inflow.transforms:
            flow.inflow.transforms.remove(queue)
        flow.inflow.filling.discard(queue)
        if queue in flow.windows.queues:
            flow.windows.queues.remove(queue)
    for n in going:
        made.nodes.pop(n)
        made.contexts.pop(n)
        made.stats.pop(n)
        made.queues.pop(n, None)
        made.meter.forget(n)
        rt.events.statuses.pop(n, None)
        flow.windows.by_source.pop(n, None)
        flow.ack_on_read.discard(n)


async def _retire_connections(rt: Runtime, ids: list[str]) -> None:
    for conn_id in ids:
        conn = rt.instances.connections.pop(conn_id, None)
        rt.instances.meter.forget(conn_id)
        if conn is not None:
            await _bounded(conn.close(), 5.0, conn_id)


# 3. start ----------------------------------------------------------------------------------

async def _start(rt: Runtime, plan: Plan, coming: list[str], connections: list[str]) -> None:
    """Make and open the new connections, make the coming nodes, wire their outputs to the new
    plan and start them; one that cannot start stops the others (ConfigError)."""
    made = rt.instances
    services = rt.lifecycle.parts.services
    for conn_id in connections:
        make_connection(plan.connections[conn_id], made, services)
        try:
            await made.connections[conn_id].open()
        except Exception as exc:
            log.warning("connection %s: %s (nodes using it will retry)", conn_id, exc)
    for n in coming:
        make_node(plan.nodes[n], made, services, rt.flow.queue_full)
        if plan.nodes[n].guarantee == "at-most-once":
            rt.flow.ack_on_read.add(n)
    inputs, wiring = _final_inputs(rt, plan)
    for n in coming:
        st = _station(rt, plan, n)
        st.ctx.emit, st.ctx.emit_lent = make_emits(st, inputs, wiring.tap)
    for n in coming:
        try:
            await made.nodes[n].start()
        except Exception as exc:  # the caller stops the runtime, these nodes with it
            pn = plan.nodes[n]
            raise ConfigError(f"{pn.file}:{pn.line}: node '{n}' ({pn.type}) cannot start: "
                              f"{exc}", node=n) from exc


def _station(rt: Runtime, plan: Plan, node_id: str) -> Station:
    return station(rt.instances, plan.nodes[node_id])


def _final_inputs(rt: Runtime, plan: Plan) -> tuple[Inputs, Wiring]:
    """Every node's inputs as the new plan wires them (the complete nodes are the same: what
    they watch is too, see :mod:`flowrt.run.plan_diff`)."""
    taps = rt.lifecycle.parts.taps
    wiring = Wiring(rt.events.fail, rt.events.completed, rt.lifecycle.watched, *taps)
    inputs = Inputs()
    for n in plan.nodes:  # the inputs only: the kept nodes still send to the parking list
        st = _station(rt, plan, n)
        inputs.given[n] = make_input(st, wiring, lent=False)
        if is_reader(st.node):
            inputs.lent[n] = make_input(st, wiring, lent=True)
    return inputs, wiring


# 4. install --------------------------------------------------------------------------------

def _install(rt: Runtime, plan: Plan, coming: list[str],
             parked: list[tuple[str, Message, Delivery]]) -> None:
    made = rt.instances
    rt.plan = plan
    rt.events.planned = plan.nodes
    rt.lifecycle.parts = dataclasses.replace(rt.lifecycle.parts, plan=plan)
    for n, pn in plan.nodes.items():
        made.contexts[n].planned = pn
    taps = rt.lifecycle.parts.taps
    wiring = Wiring(rt.events.fail, rt.events.completed, rt.lifecycle.watched, *taps)
    made.inputs.given.clear()
    made.inputs.lent.clear()
    wire({n: _station(rt, plan, n) for n in plan.nodes}, wiring, made.inputs, fuse_runs)
    _index(rt, dict(made.nodes))
    rt.lifecycle.run_tasks(only=coming)
    for node_id, msg, d in parked:
        try:
            made.inputs.given[node_id](msg, d)
        finally:
            d.release()
    rt.flow.check_idle()
