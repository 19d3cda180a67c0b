"""Fused dispatch: each node's input becomes a plain function, wired straight to its targets.

``input(msg, delivery)`` is what an upstream node calls. For a synchronous node (a Transform, a
Listener) it runs ``process`` inline and calls the targets' inputs directly: a chain of
transforms is a chain of Python calls, with no task switch and no queue. For an asynchronous node
(a Sink, an AsyncTransform) it puts the message on the node's bounded queue.

Branches never see each other's changes (Node-RED's rule), by one rule about who may change a
message object:

- A message is either **given** to a node (no one else will look at the object again: the node
  may change it, keep it, send it on) or **lent** (others will: the node may only read it).
- A *reader* is a synchronous node that declares ``mutates = False``: it never changes what it
  receives, keeps nothing of it after returning and sends only by returning. Only a reader can
  take a lent message; every other node that would get one gets a :func:`clone` instead, which
  is then given to it.
- What a node sends from a lent message is lent in turn (a switch passes on the object it was
  lent), so a copy is made where a path first reaches a node that may change the message, and
  only for the messages that get there.
- On a fan-out (one port to several targets, the same object on several ports, or several
  messages in one output) every delivery but the last is lent; the last is given, so one branch
  goes without a copy. Several messages of one output are each given when the node declares
  ``fresh_outputs`` (they share no mutable part), unless one object is sent twice.

Because targets run depth-first in order, the given delivery comes after every lent one has
returned, and a lent object is never changed while anyone can still see it: a branch can only
ever see its own changes. ``complete`` nodes get a copy of the message as the node finished it,
taken before it is sent on, and ``catch`` nodes a copy of the failed message (flowrt.run.events).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from time import perf_counter
from typing import TYPE_CHECKING, Any

from flowrt.api import AsyncTransform, Node, Sink
from flowrt.message import clone
from flowrt.run.delivery import Delivery
from flowrt.run.outputs import Emit, emitter, spread
from flowrt.run.ports import Completed, Fail, Input, Tap
from flowrt.run.tracing import TRACE_KEY
from flowrt.types import Message, Output

if TYPE_CHECKING:
    from flowrt.compile.plan import PlannedNode
    from flowrt.run.context import NodeContext
    from flowrt.run.metrics import Histogram
    from flowrt.run.queue import NodeQueue
    from flowrt.run.tracing import NodeTrace

Process = Callable[[Message], Output]
"""A synchronous node's ``process``."""


@dataclass(frozen=True, slots=True)
class Station:
    """One node as wiring sees it: its input counts each message it receives in ``counts[0]``
    (the node's [in, out]), and an asynchronous node's puts it on ``queue``. A synchronous
    node's input times its ``process`` into ``timing`` for the next message after each time it
    is armed, and puts how to arm it in ``armers`` (:mod:`flowrt.run.metrics`). With tracing on,
    ``trace`` makes a span of each visit (:mod:`flowrt.run.tracing`, :func:`make_input`)."""

    planned: PlannedNode
    node: Node
    ctx: NodeContext
    counts: list[int]
    queue: NodeQueue | None
    timing: Histogram | None = None
    armers: list[Callable[[], None]] | None = None
    always: bool = False
    """Time every message (FLOWRT_METRICS_SAMPLE=0: tests, a closer look)."""
    trace: NodeTrace | None = None


@dataclass(frozen=True, slots=True)
class Wiring:
    """What inputs do besides calling their node: fail, tell the complete nodes watching it
    (``watched``), and call the taps (tests) with (node, port, copy) of what it sends or gets."""

    fail: Fail
    completed: Completed
    watched: Collection[str]
    tap: Tap | None = None
    tap_in: Tap | None = None


@dataclass(slots=True)
class Inputs:
    """Node id -> its input for messages ``given`` to it, and for ``lent`` ones (readers only)."""

    given: dict[str, Input] = field(default_factory=dict)
    lent: dict[str, Input] = field(default_factory=dict)
    unfused: dict[str, tuple[Input, Input | None]] = field(default_factory=dict)
    """The first node of a fused run -> its own inputs (given, lent), which the run's replaced
    (:mod:`flowrt.run.fuse`)."""


def is_queued(node: Node) -> bool:
    return isinstance(node, Sink | AsyncTransform)


def is_reader(node: Any) -> bool:
    """True when a node may be lent a message (see the module docs)."""
    return not is_queued(node) and not getattr(node, "mutates", True)


Fuse = Callable[[Mapping[str, "Station"], "Wiring", "Inputs"], None]
"""Makes the inputs of linear runs of nodes loops (:func:`flowrt.run.fuse.fuse_runs`)."""


def wire(stations: Mapping[str, Station], wiring: Wiring, inputs: Inputs,
         fuse: Fuse | None = None) -> None:
    """Make every node's inputs (given, and lent for readers) into ``inputs``, then, with
    ``fuse``, a linear run of synchronous nodes one loop (:mod:`flowrt.run.fuse`, which uses
    this module's types: hence passed in), and each node's two ways of sending."""
    for node_id, st in stations.items():
        inputs.given[node_id] = make_input(st, wiring, lent=False)
        if is_reader(st.node):
            inputs.lent[node_id] = make_input(st, wiring, lent=True)
    if fuse is not None:
        fuse(stations, wiring, inputs)
    for st in stations.values():
        st.ctx.emit, st.ctx.emit_lent = make_emits(st, inputs, wiring.tap)


def make_input(st: Station, wiring: Wiring, lent: bool) -> Input:
    """The input of a node: of what is given to it, or lent (a reader: ``lent``)."""
    plain = _traced_or_plain(st, wiring, lent)
    tap = wiring.tap_in
    if tap is None:
        return plain
    node_id = st.planned.id

    def tapped(msg: Message, d: Delivery) -> None:
        tap(node_id, 0, clone(msg))
        plain(msg, d)

    return tapped


def _traced_or_plain(st: Station, wiring: Wiring, lent: bool) -> Input:
    """A node's input; with tracing on, a synchronous node's is made twice. The second calls
    its process in a span of the visit (:meth:`NodeTrace.wrap_process`) and takes the messages
    that carry a trace. The first is the input made with tracing off, but for one look for a
    trace in each message (no wrapper, no extra call): it takes all the others. Each is armed
    (:class:`Station`), as a reader's given and lent inputs are. The path recorder starts
    traces at sources only (``light``), so it costs a message it did not sample that look at
    each node. OpenTelemetry may start a trace at any node: every message takes the second. A
    queued node's loop makes its spans (:mod:`flowrt.run.workers`)."""
    trace = st.trace
    if trace is None or st.queue is not None or getattr(st.node, "process", None) is None:
        return _make_input(st, wiring, lent)
    traced = _make_input(st, wiring, lent, trace.wrap_process)
    if lent:  # the lent message's next readers see its trace as lent
        traced = trace.keep_lent(traced)
    if not trace.light:
        return traced
    return _make_input(st, wiring, lent, traced=traced)


def _make_input(st: Station, wiring: Wiring, lent: bool,
                wrap: Callable[[Process], Process] | None = None, traced: Input | None = None
                ) -> Input:
    """A node's input calling its process (``wrap`` of it, when given): a message carrying a
    trace goes to ``traced`` instead, when given."""
    pn, node, ctx = st.planned, st.node, st.ctx
    stats = st.counts
    if st.queue is not None:
        put = st.queue.put

        def queued(msg: Message, d: Delivery) -> None:
            stats[0] += 1
            d.pending += 1
            put(msg, d)

        return queued
    process: Process | None = getattr(node, "process", None)
    fail = wiring.fail
    if process is None:  # a source: nothing can wire to it

        def refuse(msg: Message, d: Delivery) -> None:
            fail(pn.id, msg, d, TypeError(f"a {pn.type} node takes no input"))

        return refuse
    node_id = pn.id
    written = int(pn.spec.category == "sink")  # a synchronous sink's messages out: those it took
    if wrap is not None:
        process = wrap(process)
    if st.timing is not None and st.armers is not None:
        # sampling costs the message path nothing: ``process`` is the node's own, except for
        # the one message after each arming, which ``timed`` takes (and disarms first, so a
        # message that comes back to this node meanwhile is not timed)
        plain, observe, always = process, st.timing.observe, st.always

        def timed(msg: Message) -> Output:
            nonlocal process
            if not always:
                process = plain
            start = perf_counter()
            out = plain(msg)
            observe(perf_counter() - start)
            return out

        def arm() -> None:
            nonlocal process
            process = timed

        st.armers.append(arm)
        if always:
            arm()

    if node_id not in wiring.watched:
        # the hottest code of the runtime: one closure per way of sending, so that a message
        # pays no test of ``lent`` and a transform no count of what a sink wrote (its one
        # test: ``traced``, None with tracing off, see _traced_or_plain)
        if written or lent:

            def inline(msg: Message, d: Delivery) -> None:
                if traced is not None and TRACE_KEY in msg:
                    traced(msg, d)
                    return
                stats[0] += 1
                prev = ctx.delivery
                ctx.delivery = d
                try:
                    out = process(msg)
                except Exception as exc:
                    ctx.delivery = prev
                    fail(node_id, msg, d, exc)
                    return
                ctx.delivery = prev
                stats[1] += written
                if out is not None:
                    (ctx.emit_lent if lent else ctx.emit)(out, d)

            return inline

        def given(msg: Message, d: Delivery) -> None:
            if traced is not None and TRACE_KEY in msg:
                traced(msg, d)
                return
            stats[0] += 1
            prev = ctx.delivery
            ctx.delivery = d
            try:
                out = process(msg)
            except Exception as exc:
                ctx.delivery = prev
                fail(node_id, msg, d, exc)
                return
            ctx.delivery = prev
            if out is not None:
                ctx.emit(out, d)

        return given
    completed = wiring.completed
    held = ctx.held

    def watched(msg: Message, d: Delivery) -> None:
        """As ``inline``, and complete nodes get the message as this node finished it (a copy
        taken before it is sent on: what later nodes do to it is not this node's doing)."""
        if traced is not None and TRACE_KEY in msg:
            traced(msg, d)
            return
        stats[0] += 1
        prev = ctx.delivery
        ctx.delivery = d
        try:
            out = process(msg)
        except Exception as exc:  # a failed message is not complete
            ctx.delivery = prev
            fail(node_id, msg, d, exc)
            return
        ctx.delivery = prev
        stats[1] += written
        finished = None if id(msg) in held else clone(msg)
        if out is not None:
            (ctx.emit_lent if lent else ctx.emit)(out, d)
        if finished is not None:
            completed(node_id, finished, d)

    return watched


def _ports(given: list[Input], lent: list[Input | None]) -> tuple[Input, Input]:
    """One output port, as (send a given message, send a lent message) to its targets in order.

    ``lent[i]`` is target i's input for lent messages, None when it is not a reader: such a
    target gets a copy of a lent message. A given message is lent to every target but the last.
    """
    if not given:
        return _drop, _drop
    borrow = tuple(zip(given, lent, strict=True))
    if len(given) == 1:
        target, reader = borrow[0]
        return target, reader if reader is not None else _copying(target)
    early = borrow[:-1]
    last = given[-1]

    def give(msg: Message, d: Delivery) -> None:
        for target, reader in early:
            if reader is None:
                target(clone(msg), d)
            else:
                reader(msg, d)
        last(msg, d)

    def lend(msg: Message, d: Delivery) -> None:
        for target, reader in borrow:
            if reader is None:
                target(clone(msg), d)
            else:
                reader(msg, d)

    return give, lend


def _copying(target: Input) -> Input:
    def copying(msg: Message, d: Delivery) -> None:
        target(clone(msg), d)

    return copying


def _drop(msg: Message, d: Delivery) -> None:
    return None


def make_emits(st: Station, inputs: Inputs, tap: Tap | None) -> tuple[Emit, Emit]:
    """How a node sends, as (send what it was given, send what it was lent): each routes an
    Output to its ports' targets."""
    gives: list[Input] = []
    lends: list[Input] = []
    for targets in st.planned.wires:
        give, lend = _ports([inputs.given[t] for t in targets],
                            [inputs.lent.get(t) for t in targets])
        gives.append(give)
        lends.append(lend)
    fresh = bool(getattr(st.node, "fresh_outputs", False))
    stats = st.counts  # a source's too: what it read and what it sends from its own timers
    emits = (emitter(tuple(gives), tuple(lends), fresh, stats),
             emitter(tuple(lends), tuple(lends), fresh, stats))
    if tap is not None:
        node_id = st.planned.id
        emits = (_tapped(emits[0], node_id, tap, len(gives)),
                 _tapped(emits[1], node_id, tap, len(gives)))
    if st.trace is not None and st.queue is None and getattr(st.node, "process", None) is None:
        # a source: each message it sends is its visit (where a sampled trace starts); what
        # other nodes send is marked as they send it (their process, NodeContext.send)
        emits = st.trace.wrap_source(emits[0]), st.trace.wrap_source(emits[1])
    return emits


def _tapped(emit: Emit, node_id: str, tap: Tap, count: int) -> Emit:
    def tapped(output: Output, d: Delivery) -> None:
        for port, msg in spread(output, count or 1):
            tap(node_id, port, clone(msg))
        emit(output, d)

    return tapped
