"""The context each node instance gets as ``self.ctx`` (the NodeContext protocol of flowrt.api).

The contexts of one runtime share its :class:`Services`, each piece from the part of the runtime
that owns it: flow control makes deliveries, the events take errors, status and log lines, the
lifecycle says whether the nodes are being stopped, and the tasks run what nodes spawn.
"""

from __future__ import annotations

import asyncio
from collections import ChainMap
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from flowrt import file_access
from flowrt.errors import ConfigError
from flowrt.file_access import FileAccess
from flowrt.load.env import WithoutOwn
from flowrt.message import new_msgid
from flowrt.protocols import NodeFacts
from flowrt.run.delivery import Delivery
from flowrt.run.outputs import one_of
from flowrt.run.tracing import TRACE_KEY, stamp, valid_traceparent
from flowrt.types import Message, Output

if TYPE_CHECKING:
    from flowrt.api import Connection, Origin, Store
    from flowrt.compile.plan import PlannedNode
    from flowrt.protocols import Conn, DeclaredType, HttpRoutes, Timer
    from flowrt.run.clock import Clock
    from flowrt.run.events import Events
    from flowrt.run.metrics import Meter
    from flowrt.run.ports import Deliveries, Input, Phase
    from flowrt.run.stores import Stores
    from flowrt.run.tracing import NodeTrace

Emit = Callable[[Output, Delivery], None]


@dataclass(frozen=True, slots=True)
class Services:
    """What the node contexts of one runtime share."""

    clock: Clock
    stores: Stores
    env: Mapping[str, str]
    """The process environment the runtime was given."""
    group: str | None
    events: Events
    deliveries: Deliveries
    """Flow control: makes the deliveries of new messages, and takes them back finished."""
    phase: Phase
    spawn: Callable[[Coroutine[Any, Any, Any], str], None]
    """Runs a task of a node, given its name (the runtime's tasks)."""
    contexts: Mapping[str, NodeContext]
    connection: Callable[[str, str], Connection]
    """The connection of an id, for a node id (raises ConfigError naming the node)."""
    http: Callable[[], HttpRoutes]
    owner: object = None
    """The runtime, as ``ctx.runtime`` (for tests and tools: nothing here uses it)."""
    meter: Meter | None = None
    """Where connections report (:mod:`flowrt.run.metrics`)."""


class NodeContext:
    """Sending, holding, status, logging, stores and time for one node instance."""

    def __init__(self, services: Services, planned: PlannedNode):
        self.services = services
        self.runtime = services.owner
        self.planned = planned
        self.node_id = planned.id
        self.node_type = planned.type
        self.flow_id = planned.flow
        self.label = planned.label
        self._new_delivery = services.deliveries.new_delivery
        self._fail = services.events.fail
        stores = services.stores
        self.context: Store = stores.scope(f"node:{planned.id}")
        self.flow: Store = stores.scope(f"flow:{planned.flow}")
        self.global_: Store = stores.scope("global")
        self.env: Mapping[str, Any] = ChainMap(
            {"FLOWRT_NODE_ID": planned.id, "FLOWRT_FLOW_ID": planned.flow},
            planned.env,  # Node-RED's NR_NODE_ID... too: flowrt.load.env.node_variables
            WithoutOwn(services.env),
        )
        self.group: str | None = services.group
        self.emit: Emit = _no_outputs
        """Sends an output of this node: what the node was given, or made itself."""
        self.emit_lent: Emit = _no_outputs
        """Sends an output made while reading a lent message (readers only; flowrt.run.dispatch)."""
        self._one: tuple[Emit, Input | None, list[int]] = (_no_outputs, None, [0, 0])
        """``emit`` and what it does with one message (:func:`~flowrt.run.outputs.one_of`),
        for :meth:`send_held`; remade there when ``emit`` is another."""
        self.delivery: Delivery | None = None
        """The delivery of the message being processed now, if any."""
        self.held: dict[int, tuple[Message, Delivery]] = {}
        self.pace_limit = 0
        """Held messages beyond which the flow's sources wait (:meth:`pace`); 0: no pacing."""
        self.over_pace = False
        self.writing: dict[int, Delivery] | None = None
        """A sink's batch being written: ``error(exc, msg)`` fails that one message."""
        self.failed_in_batch: set[int] = set()
        self.trace: NodeTrace | None = None
        """This node's spans, when tracing is on (:mod:`flowrt.run.tracing`): a held message's
        ends when it is done, and messages carry their trace."""

    # sending -----------------------------------------------------------------------------

    def _delivery_for(self, origin: Origin) -> tuple[Delivery, bool]:
        """The delivery an output made from ``origin`` belongs to; True if it is a new one."""
        if origin is None:
            if self.delivery is not None:
                return self.delivery, False
            return self._new_delivery(), True
        if isinstance(origin, list):
            found = [self._delivery_for(m) for m in origin]
            parents = tuple(dict.fromkeys(d for d, _ in found))
            joined = Delivery(self.services.deliveries.finished, parents=parents)
            for d, fresh in found:
                if fresh:
                    d.release()
            return joined, True
        held = self.held.get(id(origin))
        if held is not None:
            return held[1], False
        if self.delivery is not None:
            return self.delivery, False
        return self._new_delivery(), True

    def send(self, output: Output, origin: Origin = None) -> None:
        if output is None:
            return
        if self.trace is not None or isinstance(origin, list):
            self._emit_through(self, output, origin)
            return
        # _emit_through's commonest cases, inlined: an untraced node sending as it handles a
        # message (a script's node.send), or for a message it holds (an asynchronous script's)
        if origin is None:
            delivery = self.delivery
        else:
            held = self.held.get(id(origin))
            if held is not None:  # its hold keeps the delivery pending while this emits
                self.emit(output, held[1])
                return
            delivery = self.delivery
        if delivery is None:  # a new message: a delivery of its own
            self._emit_through(self, output, origin)
            return
        delivery.pending += 1
        try:
            self.emit(output, delivery)
        finally:
            if delivery.pending > 1:
                delivery.pending -= 1
            else:
                delivery.release()

    def send_held(self, msg: Message, origin: Message) -> None:  # see protocols.HELD_SEND
        """``send(msg, origin)`` of one message (a dict) for ``origin``, a message the node
        holds (an asynchronous script's ``node.send``), with what ``send`` tests first taken
        as the commonest case: untraced, ``origin`` held."""
        held = self.held.get(id(origin))
        if held is None or self.trace is not None:
            self.send(msg, origin)
            return
        # its hold keeps the delivery pending while this emits; a message to one input is
        # counted and handed to it here, as the emit would (one call fewer a message)
        emit, to, counts = self._one
        if emit is not self.emit:  # wired (again) since: what the emit does with one message
            emit = self.emit
            to, counts = one_of(emit) or (None, [0, 0])
            self._one = emit, to, counts
        if to is None:
            emit(msg, held[1])
        else:
            counts[1] += 1
            to(msg, held[1])

    def send_from(self, node_id: str, output: Output, origin: Origin = None) -> None:
        other = self.services.contexts.get(node_id)
        if other is None:
            raise ConfigError(f"cannot send from unknown node '{node_id}'", node=self.node_id)
        self._emit_through(other, output, origin)

    def nodes_of_type(self, node_type: str) -> list[NodeFacts]:
        return [
            NodeFacts(p.id, p.label, p.flow, p.scope, p.origin.id if p.origin else None)
            for p in (c.planned for c in self.services.contexts.values())
            if p.type == node_type
        ]

    def _emit_through(self, sender: NodeContext, output: Output, origin: Origin) -> None:
        """Send ``output`` as ``sender`` would (this node, or the one named by send_from)."""
        trace = sender.trace
        if trace is not None:  # what has no trace yet joins origin's, else the visit's under way
            if type(origin) is dict:
                stamp(output, origin.get(TRACE_KEY))
            if trace.current is not None:
                stamp(output, trace.current)
        delivery, fresh = self._delivery_for(origin)
        if not fresh:
            delivery.pending += 1
        try:
            sender.emit(output, delivery)
        finally:
            delivery.release()

    # holding -----------------------------------------------------------------------------

    def hold(self, msg: Message) -> None:
        key = id(msg)
        if key in self.held:
            return
        delivery = self.delivery or self._new_delivery()
        if delivery is self.delivery:
            delivery.pending += 1
        self.held[key] = (msg, delivery)
        if self.pace_limit and not self.over_pace and len(self.held) > self.pace_limit:
            self.over_pace = True
            self.services.deliveries.queue_full(self, True)

    def done(self, msg: Message, error: BaseException | None = None) -> None:
        entry = self.held.pop(id(msg), None)
        if self.trace is not None:
            self.trace.release(msg, error)
        if self.over_pace and len(self.held) <= self.pace_limit // 2:
            self.over_pace = False
            self.services.deliveries.queue_full(self, False)
        if entry is None:
            if error is not None:
                self._fail(self.node_id, msg, self.delivery, error)
            return
        _, delivery = entry
        if self.services.phase.releasing and error is None:
            delivery.failed = True  # given up at shutdown: nack it, so it is redelivered
        elif error is not None:
            self._fail(self.node_id, msg, delivery, error)
        else:
            self.services.events.completed(self.node_id, msg, delivery)
        delivery.release()

    def release_held(self) -> int:
        """Release every held message (at stop); returns how many there were."""
        count = len(self.held)
        for msg, _ in list(self.held.values()):
            self.done(msg)
        return count

    # pacing ------------------------------------------------------------------------------

    def pace(self, limit: int) -> None:
        """While this node holds more than ``limit`` messages, the flow's sources wait, until
        it holds at most half of them (see :class:`flowrt.protocols.NodeContext`)."""
        self.pace_limit = max(1, limit)

    async def room(self) -> None:
        """Return once no queue and no pacing node is over its bound."""
        await self.services.deliveries.wait_room()

    def spawn(self, coro: Coroutine[Any, Any, Any], msg: Message | None = None) -> None:
        if msg is not None:
            self.hold(msg)
        self.services.spawn(self.guarded(coro, msg), f"flowrt:{self.node_id}")

    async def guarded(self, coro: Coroutine[Any, Any, Any], msg: Message | None) -> None:
        """Run ``coro`` as a task of this node: ``msg`` is done when it ends (failed by its
        error; with no ``msg``, the error is the node's)."""
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if msg is not None:
                self.done(msg, exc)
            else:
                self._fail(self.node_id, None, None, exc)
        else:
            if msg is not None:
                self.done(msg)

    # reporting ---------------------------------------------------------------------------

    def status(self, fill: str | None = None, shape: str | None = None, text: str = "") -> None:
        """Set the node's status; status nodes get it only while the flow runs (not from the
        nodes' ``start`` or ``stop``), as in Node-RED."""
        phase = self.services.phase
        self.services.events.set_status(self.node_id, {"fill": fill, "shape": shape, "text": text},
                                        route=phase.started and not phase.releasing)

    def report_connection(self, up: bool) -> None:
        """This node or connection is connected now (``up``), or not (flowrt.protocols)."""
        meter = self.services.meter
        if meter is not None:
            meter.report_connection(self.node_id, self.node_type, self.flow_id, up)

    def warn(self, text: str, msg: Message | None = None) -> None:
        self.services.events.log_node(self.node_id, "warning", text, msg)

    def log(self, text: str) -> None:
        self.services.events.log_node(self.node_id, "info", text, None)

    def error(self, error: BaseException | str, msg: Message | None = None) -> None:
        if msg is None:
            self.services.events.log_node(self.node_id, "error", str(error), None)
            return
        exc = error if isinstance(error, BaseException) else RuntimeError(str(error))
        held = self.held.get(id(msg))
        delivery = held[1] if held else self.delivery
        writing = self.writing
        if writing is not None and id(msg) in writing:
            delivery = writing[id(msg)]
            self.failed_in_batch.add(id(msg))
        self._fail(self.node_id, msg, delivery, exc)

    # resources and time ------------------------------------------------------------------

    @property
    def files(self) -> FileAccess:
        """The files nodes may open: the process's rule (``--files``, ``--scripts``)."""
        return file_access.current()

    @property
    def scripts(self) -> str:
        """The script policy this process runs flows under (``--scripts``)."""
        from flowrt.check import policy

        return policy.current()

    @overload
    def connection(self, connection_id: str) -> Any: ...
    @overload
    def connection(self, connection_id: str, kind: type[Conn]) -> Conn: ...

    def connection(self, connection_id: str, kind: type[Any] | None = None) -> Any:
        conn = self.services.connection(connection_id, self.node_id)
        if kind is not None and not isinstance(conn, kind):
            raise ConfigError(
                f"connection '{connection_id}' is of type {conn.type or type(conn).__name__}, "
                f"not {kind.type or kind.__name__}",
                node=self.node_id,
            )
        return conn

    def http_routes(self) -> HttpRoutes:
        return self.services.http()

    def new_msgid(self) -> str:
        return new_msgid()

    def traceparent(self, msg: Message) -> str | None:
        """The W3C traceparent to send along with ``msg`` (tracing on), else None."""
        if self.trace is None or not self.trace.remote:
            return None
        found = msg.get(TRACE_KEY)
        return found if type(found) is str else None

    def continue_trace(self, msg: Message, traceparent: Any) -> None:
        """``msg`` came with ``traceparent`` (tracing on, and it is one): its trace goes on."""
        if self.trace is not None and self.trace.remote:
            found = valid_traceparent(traceparent)
            if found is not None:
                msg[TRACE_KEY] = found

    def now(self) -> float:
        return self.services.clock.now()

    async def sleep(self, seconds: float) -> None:
        await self.services.clock.sleep(seconds)

    def output_type(self, port: int = 0) -> DeclaredType | None:
        return self.planned.out_types.get(port)

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        def run() -> None:
            try:
                callback()
            except Exception as exc:  # a timer's error must not vanish
                self._fail(self.node_id, None, None, exc)

        return self.services.clock.call_later(seconds, run)


def _no_outputs(output: Output, delivery: Delivery) -> None:
    return None
