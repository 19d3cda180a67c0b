"""The protocols a node sees: its context (``self.ctx``), stores, acknowledgements, timers and
the HTTP routes the engine serves. Re-exported by :mod:`flowrt.api`; implemented by the engine
(:mod:`flowrt.run`)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar, overload

from flowrt.types import Message, Output

if TYPE_CHECKING:
    from flowrt.file_access import FileAccess

Conn = TypeVar("Conn")
"""A connection type (a subclass of :class:`flowrt.api.Connection`) a node asks for by name."""


class Store(Protocol):
    """A context store (node, flow or global scope). Values should be JSON-like (a persistent
    store keeps only those). Setting ``None`` deletes the key, as Node-RED's ``undefined``."""

    def get(self, key: str, default: Any = None) -> Any: ...
    def set(self, key: str, value: Any) -> None: ...
    def keys(self) -> list[str]: ...


class Ack(Protocol):
    """How a source settles one message with its server.

    An acknowledgement that settles without waiting for anything (it records the outcome, and
    the source sends it to the server later) may also offer ``settle(failed: bool) -> None``,
    the same as ``nack()`` when ``failed`` and ``ack()`` otherwise: the engine then calls it in
    place instead of running a task per message."""

    async def ack(self) -> None: ...
    async def nack(self, requeue: bool = True) -> None: ...


class Timer(Protocol):
    """A pending callback made by :meth:`NodeContext.call_later`."""

    def cancel(self) -> None: ...


Origin = Message | list[Message] | None
"""What an output was made from: one message the node received, several (a join), or None."""


@dataclass(frozen=True, slots=True)
class NodeFacts:
    """What a node may know of another node of its runtime."""

    id: str
    """Its planned id (``instance/inner`` inside a subflow instance)."""
    label: str
    flow: str
    scope: tuple[str, ...]
    """The subflow instances it is inside, outermost first."""
    origin_id: str | None
    """Its Node-RED id, for a node imported from Node-RED."""


@dataclass(frozen=True, slots=True)
class SchemaProblem:
    """Where a payload fails a JSON Schema, told without the payload's values: the JSON
    Pointer of the failing part (``/celsius``; ``""`` for the whole payload), the schema
    keyword that failed and that keyword's value in the schema (``type``, ``"number"``)."""

    pointer: str
    keyword: str
    expected: Any

    def __str__(self) -> str:
        shown = json.dumps(self.expected, default=str)
        shown = shown if len(shown) <= 120 else shown[:117] + "..."
        return f"at {self.pointer or '/'}: {self.keyword} {shown}"


@dataclass(frozen=True, slots=True)
class DeclaredType:
    """The ontology a node's port declares (``in: Reading``, ``out: {0: Reading}``): its name,
    its JSON Schema, and ``problem(payload)``, the first place a payload fails it (None when it
    conforms), matched with the ``validate`` node's bounded validator."""

    name: str
    schema: Any
    problem: Callable[[Any], SchemaProblem | None] = field(compare=False, repr=False)


HELD_SEND = (
    "hold = ctx.held.get(_id(origin))",
    "one = ctx._one",
    "if hold is None or ctx.trace is not None or one[0] is not ctx.emit or one[1] is None:",
    "    ctx.send_held(msg, origin)",
    "else:",
    "    one[2][1] += 1",
    "    one[1](msg, hold[1])",
)
"""``ctx.send_held(msg, origin)`` as lines for a generated function (a script's sender): the
quick case of the runtime's context (:class:`flowrt.run.context.NodeContext`) written out, no
call: untraced, ``origin`` held, the emit's one input known, the message is counted and handed
to that input; in any other case ``send_held`` runs. They read ``ctx``, ``msg``, ``origin`` and
``_id`` (the builtin ``id``), and bind ``hold`` and ``one``."""


class NodeContext(Protocol):
    """What the engine gives every node instance as ``self.ctx``.

    Sending
        ``send(output, origin=None)`` sends ``output`` (see :data:`Output`) on this node's ports.
        ``origin`` is the message(s) the output was made from, so the source of those messages is
        acknowledged only once the output is finished too. With no origin, the output belongs to
        the message being processed right now, if any (inside ``process``/``receive``), else it
        starts fresh (a timer firing). ``send_from(node_id, output)`` sends as if another node had
        sent it (link nodes use it).

    Holding
        A message is finished when ``process`` (or ``receive``) returns, unless the node called
        ``hold(msg)``: then it is finished by ``done(msg)``. A delay or a join holds the messages
        it keeps. ``done(msg, error)`` with an error routes the error to ``catch`` nodes.
        ``spawn(coro, msg)`` runs a coroutine owned by the engine (drained at shutdown); with a
        message, that message is held until the coroutine ends and its errors name that message.
        Messages are matched by identity: pass ``done`` and ``origin`` the very object that was
        held, not a copy. A node may change the message it is given and send it on.

    Pacing
        A node that holds messages and lets them go on its own timers (a delay) sets
        ``pace(limit)``: while it holds more than ``limit`` messages, the flow's sources wait
        before reading their next one, until it holds at most half of ``limit``, as for a full
        queue. Nothing is refused or dropped: what one source message fans out into is still
        taken. A node that sends many messages from one input (a file read line by line)
        awaits ``room()`` between them, so it is paced the same way. A node whose held messages
        wait for later input (a join waiting for a sequence's end) must not pace: its sources
        would wait for it and it for them.

    Connections
        ``connection(name, Type)`` is the connection ``name`` (the node's ``connection:`` field)
        as a ``Type``; a ConfigError when it is of another type. ``connection(name)`` returns it
        whatever its type.

    HTTP
        ``http_routes()`` is where ``http-in`` style nodes add routes; the engine serves them
        (``flowrt run --http``, or under ``flowrt serve``'s app).

    Files
        ``files`` opens the files a node reads or writes (``files.open(name, "r"|"w"|"a")``,
        ``files.remove(name)``): it keeps flows to the directories the operator allows. Never
        call ``open()`` on a path a flow gives.

    Time
        ``now()`` (epoch seconds), ``sleep()`` and ``call_later()`` go through the engine's clock,
        so flow tests can run them on simulated time. Never use ``time`` or ``asyncio.sleep``.
    """

    node_id: str
    """The node's id; inside a subflow instance, ``instance/inner``."""
    node_type: str
    flow_id: str
    label: str
    context: Store
    flow: Store
    global_: Store
    env: Mapping[str, Any]
    """The node's environment: subflow parameters, the flow's ``env``, the process environment."""
    group: str | None
    """The name of the group of workers this one runs in (``flowrt run --group``), or None."""

    @property
    def files(self) -> FileAccess:
        """The files this node may open (see :mod:`flowrt.file_access`)."""
        ...

    @property
    def scripts(self) -> str:
        """The script policy flows run under (``allow``, ``sandboxed`` or ``deny``; see
        :mod:`flowrt.check.policy`): a node that runs a flow author's code isolates it further
        when it is not ``allow``."""
        ...

    def send(self, output: Output, origin: Origin = None) -> None: ...
    def send_held(self, msg: Message, origin: Message) -> None:
        """``send(msg, origin)`` of one message for a message the node holds (quicker)."""
        ...
    def send_from(self, node_id: str, output: Output, origin: Origin = None) -> None: ...
    def nodes_of_type(self, node_type: str) -> list[NodeFacts]:
        """The nodes of a type in this runtime (how a link-call finds a link-in by name)."""
        ...
    def hold(self, msg: Message) -> None: ...
    def done(self, msg: Message, error: BaseException | None = None) -> None: ...
    def spawn(self, coro: Coroutine[Any, Any, Any], msg: Message | None = None) -> None: ...
    def pace(self, limit: int) -> None: ...
    def room(self) -> Awaitable[None]: ...
    def status(self, fill: str | None = None, shape: str | None = None, text: str = "") -> None: ...
    def warn(self, text: str, msg: Message | None = None) -> None: ...
    def error(self, error: BaseException | str, msg: Message | None = None) -> None: ...
    def log(self, text: str) -> None: ...
    def report_connection(self, up: bool) -> None:
        """Tell the runtime this connection (or node owning one) is up or down now: its
        ``connected`` gauge and ``reconnects`` counter in ``/metrics``. Sources and sinks that
        name a connection are reported by the engine; a connection with its own reconnect loop
        (an MQTT session) calls this itself."""
        ...
    @overload
    def connection(self, connection_id: str) -> Any: ...
    @overload
    def connection(self, connection_id: str, kind: type[Conn]) -> Conn: ...
    def http_routes(self) -> HttpRoutes: ...
    def new_msgid(self) -> str: ...
    def traceparent(self, msg: Message) -> str | None:
        """With tracing on, the W3C ``traceparent`` a node that sends ``msg`` to another
        process puts beside it (an MQTT 5 user property, an AMQP or HTTP header); else None."""
        ...
    def continue_trace(self, msg: Message, traceparent: Any) -> None:
        """A source that received ``msg`` with a ``traceparent`` beside it gives it here: with
        tracing on, the message's trace continues the sender's (a value that is not a valid
        traceparent is ignored). Does nothing when tracing is off."""
        ...
    def now(self) -> float: ...
    def sleep(self, seconds: float) -> Awaitable[None]: ...
    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer: ...
    def output_type(self, port: int = 0) -> DeclaredType | None:
        """The ontology the node's ``out:`` declares for ``port``, or None. The engine trusts
        it (``flowrt validate`` checks the wires from it); a node that takes its messages from
        outside (http-in) checks them against it."""
        ...


HttpHandler = Callable[[Any], Awaitable[Any]]
"""Takes a ``starlette.requests.Request`` and returns a ``starlette.responses.Response``."""


class HttpRoutes(Protocol):
    """The HTTP endpoints the engine serves for nodes (Node-RED's ``httpNodeRoot``).

    ``add(node_id, method, path, handler)`` adds a route (``path`` may hold ``{name}`` parameters,
    as Starlette's); a second node taking the same method and path is a ConfigError.
    ``add_websocket(node_id, path, handler)`` serves WebSocket handshakes on ``path`` (matched
    exactly): ``handler`` takes a ``starlette.websockets.WebSocket`` (not yet accepted) and
    serves it until it closes; a second node taking the path is a ConfigError.
    ``remove(node_id)`` takes away every route the node added.
    """

    def add(self, node_id: str, method: str, path: str, handler: HttpHandler,
            access: EndpointAccess | None = None) -> None: ...
    def add_websocket(self, node_id: str, path: str,
                      handler: Callable[[Any], Awaitable[None]],
                      access: EndpointAccess | None = None) -> None: ...
    def remove(self, node_id: str) -> None: ...


class EndpointAccess(Protocol):
    """Who may call an endpoint, as a node's configuration says it (``access`` of
    :meth:`HttpRoutes.add`): the engine checks it before a request reaches the node's handler
    (see :mod:`flowrt.run.access`). ``auth`` is ``none``, ``key``, ``bearer`` or ``basic``;
    ``scopes`` the scopes a key needs; ``tokens`` names -> bearer tokens; ``users`` names ->
    password hashes; ``rate`` (requests a second, ``burst`` at once) and ``quota`` (a day) per
    client, or None. An http-in may also have ``cors`` (origins, methods, headers, expose,
    credentials, max_age). The client admitted is in the request's scope as
    ``flowrt.client`` (``{name, kind, scopes}``), and with ``auth`` its credential headers are
    hidden from the handler."""

    @property
    def auth(self) -> str: ...
    @property
    def scopes(self) -> Any: ...
    @property
    def tokens(self) -> Any: ...
    @property
    def users(self) -> Any: ...
    @property
    def rate(self) -> float | None: ...
    @property
    def burst(self) -> int | None: ...
    @property
    def quota(self) -> int | None: ...
