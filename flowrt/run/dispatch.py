"""Fused dispatch: each node's input becomes a plain function, wired straight to its targets.

``input(msg, delivery)`` is what an upstream node calls. For a synchronous node (a Transform, a
Listener) it runs ``process`` inline and calls the targets' inputs directly: a chain of
transforms is a chain of Python calls, with no task switch and no queue. For an asynchronous node
(a Sink, an AsyncTransform) it puts the message on the node's bounded queue.

Fan-out follows Node-RED's rule that branches must not see each other's changes, with one
saving: the last branch gets the message itself, and an earlier branch gets it uncopied too when
its node is synchronous and declares ``mutates = False`` (it is finished before the next branch
starts and changed nothing). Every other branch gets a :func:`~flowrt.run.message.clone`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flowrt.api import AsyncTransform, Node, Sink
from flowrt.message import clone
from flowrt.run.delivery import Delivery
from flowrt.types import Message, Output

if TYPE_CHECKING:
    from flowrt.compile.plan import PlannedNode
    from flowrt.run.context import NodeContext
    from flowrt.run.runtime import Runtime

Input = Callable[[Message, Delivery], object]
"""A node's input: what an upstream node calls. Its return value means nothing to callers."""
Emit = Callable[[Output, Delivery], None]
Tap = Callable[[str, int, Message], None]


def is_queued(node: Node) -> bool:
    return isinstance(node, Sink | AsyncTransform)


def make_input(rt: Runtime, pn: PlannedNode, node: Node, ctx: NodeContext) -> Input:
    plain = _make_input(rt, pn, node, ctx)
    tap = rt.tap_in
    if tap is None:
        return plain
    node_id = pn.id

    def tapped(msg: Message, d: Delivery) -> None:
        tap(node_id, 0, clone(msg))
        plain(msg, d)

    return tapped


def _make_input(rt: Runtime, pn: PlannedNode, node: Node, ctx: NodeContext) -> Input:
    stats = rt.stats[pn.id]
    if is_queued(node):
        queue = rt.queues[pn.id]
        put = queue.put

        def queued(msg: Message, d: Delivery) -> None:
            stats[0] += 1
            d.pending += 1
            put(msg, d)

        return queued
    process: Callable[[Message], Output] | None = getattr(node, "process", None)
    fail = rt.fail
    if process is None:  # a source: nothing can wire to it

        def refuse(msg: Message, d: Delivery) -> None:
            fail(pn.id, msg, d, TypeError(f"a {pn.type} node takes no input"))

        return refuse
    node_id = pn.id

    def inline(msg: Message, d: Delivery) -> bool:
        """Process and send on; False when the node failed on the message."""
        stats[0] += 1
        prev = ctx.delivery
        ctx.delivery = d
        try:
            out = process(msg)
        except Exception as exc:
            ctx.delivery = prev
            fail(node_id, msg, d, exc)
            return False
        ctx.delivery = prev
        if out is not None:
            ctx.emit(out, d)
        return True

    if node_id not in rt.watched_complete:
        return inline
    completed = rt.completed
    held = ctx.held

    def watched(msg: Message, d: Delivery) -> None:
        if inline(msg, d) and id(msg) not in held:  # a failed message is not complete
            completed(node_id, msg, d)

    return watched


def _port(targets: list[Input], shares: list[bool]) -> Input:
    """One output port: its targets in order, copying for the branches that need it."""
    if not targets:
        return _drop
    if len(targets) == 1:
        return targets[0]
    *early, last = targets
    pairs = tuple(zip(early, shares[:-1], strict=True))

    def port(msg: Message, d: Delivery) -> None:
        for target, share in pairs:
            target(msg if share else clone(msg), d)
        last(msg, d)

    return port


def _drop(msg: Message, d: Delivery) -> None:
    return None


def make_emit(rt: Runtime, pn: PlannedNode, tap: Tap | None) -> Emit:
    """How a node sends: ``emit(output, delivery)`` routes an Output to its ports' targets."""
    ports: list[Input] = []
    for targets in pn.wires:
        ports.append(
            _port([rt.inputs[t] for t in targets], [rt.shares_message(t) for t in targets])
        )
    emit = _emitter(tuple(ports))
    if tap is None:
        return emit
    node_id = pn.id

    def tapped(output: Output, d: Delivery) -> None:
        for port, msg in spread(output, len(ports) or 1):
            tap(node_id, port, clone(msg))
        emit(output, d)

    return tapped


def _emitter(ports: tuple[Input, ...]) -> Emit:
    count = len(ports)
    if count == 0:
        return _nothing
    first = ports[0]

    def emit(output: Output, d: Delivery) -> None:
        if type(output) is dict:
            first(output, d)
            return
        sent: set[int] = set()
        for port, msg in spread(output, count):
            if id(msg) in sent:
                msg = clone(msg)  # the same object on two ports: each gets its own
            sent.add(id(msg))
            ports[port](msg, d)

    return emit


def _nothing(output: Output, d: Delivery) -> None:
    return None


def spread(output: Output, count: int) -> list[tuple[int, Message]]:
    """(port, message) pairs of an Output, with Node-RED's meaning of lists."""
    if output is None:
        return []
    if isinstance(output, dict):
        return [(0, output)]
    pairs: list[tuple[int, Message]] = []
    for port, item in enumerate(output):
        if port >= count or item is None:
            continue
        if isinstance(item, list):
            pairs.extend((port, m) for m in item if isinstance(m, dict))
        elif isinstance(item, dict):
            pairs.append((port, item))
    return pairs


def shares_message(node: Any) -> bool:
    """True when a fan-out may give this node the message itself (see the module docs)."""
    return not is_queued(node) and not getattr(node, "mutates", True)
