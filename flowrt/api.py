"""The public API for node packs: the only flowrt module a pack may import.

A node type is one class. It declares, once:

- ``type``: the id used in flow files (``mqtt-in``); module ``mqtt_in.py``, class ``MqttIn``;
- ``category``: what contract it implements (see the base classes below);
- ``inputs`` (0 or 1) and ``outputs`` (ports), or :meth:`Node.output_count` when the number of
  outputs depends on the configuration;
- ``Config``: a :class:`NodeConfig` whose fields are made with :func:`field`. Every field has a
  description, a default (none means required) and optional examples; ``secret`` fields must be
  given as ``${VAR}`` references; ``connection`` fields name a connection of the given type.
- ``stability``: stable, beta or experimental.

:class:`NodeConfig` and :func:`field` are declared in :mod:`flowrt.node_config`; the access
fields of nodes that serve the outside world (:class:`AccessConfig`) in :mod:`flowrt.access_fields`.

From that declaration flowrt derives the JSON Schema, validation at load time, the editor's form,
``flowrt nodes`` and the docs. The class docstring is the node's help: its first line is the
summary, the rest (Markdown, with Inputs / Outputs / Details sections) the details.

The engine owns the lifecycle. A node only implements its category's contract:

=============== ============================================================================
Transform       ``process(msg) -> Output``: synchronous, so chains of transforms are fused into
                direct calls. Return what to send (see :data:`flowrt.types.Output`). A node that
                must keep a message (a delay) calls ``ctx.hold(msg)`` and later ``ctx.done(msg)``,
                and declares ``asynchronous = True``. A Transform with no outputs may declare
                ``category = "sink"``: a synchronous sink, such as debug.
AsyncTransform  ``async receive(msg)``: runs behind a bounded queue; send any time with
                ``self.ctx.send(output)``. For timers and buffers (delay, trigger, join).
Source          ``async connect()``, ``async read() -> (msg, ack)``, ``async close()``. Raise
                :class:`NotConnected` to be reconnected with back-off, :class:`EndOfInput` when
                there is nothing more to read. ``ack`` (or ``None``) is settled by the engine once
                every branch the message went down has finished with it.
Sink            ``async write(batch)``, ``async flush()``; ``batch_size`` and ``batch_interval``
                tell the engine how to batch. Messages are acknowledged once ``write`` returns.
Listener        ``process(event_msg) -> Output``: catch, status and complete nodes; the engine
                feeds them errors, status changes and finished messages of the nodes in scope.
Connection      ``async open()``, ``async close()``: shared configuration and client for the nodes
                that name it (``self.ctx.connection(self.config.connection)``).
=============== ============================================================================

No node writes its own reconnect loop, its own queue or its own error routing: raise, and the
engine routes the error to ``catch`` nodes or the log with the node id and the message id.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from flowrt.broker.embedded import EmbeddedBroker, check_broker_host
from flowrt.errors import (
    AuthFailed,
    ConfigError,
    ConnectionLost,
    EndOfInput,
    NodeError,
    NotConnected,
    ScriptError,
)
from flowrt.evaluated import Evaluated
from flowrt.expressions.bounded_regex import BoundedRegex, RegexTimeout, compile_regex
from flowrt.expressions.deadline import EVALUATION_SECONDS, TimeLimitExceeded, within
from flowrt.expressions.jinja_sandbox import EnvView, check_jinja, compile_jinja
from flowrt.expressions.js_string import js_number, js_string
from flowrt.expressions.jsonata import ExpressionEvaluator, JsonataExpression, compile_expression
from flowrt.expressions.props import (
    MISSING,
    delete_property,
    get_property,
    getter,
    parse_path,
    set_property,
    setter,
)
from flowrt.expressions.template_limits import TEXT_LIMIT as TEMPLATE_TEXT_LIMIT
from flowrt.expressions.typed_value import (
    Evaluator,
    Pattern,
    PropertyPath,
    TypedValue,
    Value,
    compile_value,
    evaluate,
)
from flowrt.file_access import FileAccess, FileRefused
from flowrt.message import clone, js_dumps, new_msgid
from flowrt.netloc import host_port
from flowrt.node_config import NodeConfig, field
from flowrt.protocols import (
    HELD_SEND,
    Ack,
    HttpHandler,
    HttpRoutes,
    NodeContext,
    Origin,
    Store,
    Timer,
)
from flowrt.step_code import StepCode, indented, lookup, step_function
from flowrt.types import Category, Confirmation, Message, Output, Stability

if TYPE_CHECKING:
    from flowrt.access_fields import AccessConfig, Auth, Burst, Quota, Rate

_ACCESS_FIELDS = frozenset({"AccessConfig", "Auth", "Burst", "Quota", "Rate"})
"""Names of :mod:`flowrt.access_fields`, imported when a pack first asks for one (building its
model is a share of `flowrt run`'s start-up that only nodes serving the outside world need)."""


def __getattr__(name: str) -> Any:
    if name in _ACCESS_FIELDS:
        from flowrt import access_fields

        return getattr(access_fields, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# fmt: off
__all__ = [
    "Ack", "AsyncTransform", "AuthFailed", "BoundedRegex", "ConfigError", "Confirmation",
    "Connection", "ConnectionLost", "EVALUATION_SECONDS", "EndOfInput", "Evaluated", "Evaluator",
    "ExpressionEvaluator", "FileAccess", "FileRefused", "HttpHandler", "HttpRoutes",
    "JsonataExpression", "Listener", "Message", "MISSING", "Node", "NodeConfig", "NodeContext",
    "NodeError", "NotConnected", "Origin", "Output", "Pattern", "PropertyPath", "RegexTimeout",
    "ScriptError", "Sink", "SinkConfig", "Source", "Store", "TimeLimitExceeded", "Timer",
    "Transform", "TypedValue", "Value", "clone", "compile_expression", "compile_regex",
    "compile_value", "delete_property", "evaluate", "field", "get_property", "getter", "js_dumps",
    "js_number", "js_string", "new_msgid", "parse_path", "set_property", "setter", "within",
    "EmbeddedBroker", "check_broker_host", "AccessConfig", "Auth", "Burst", "Quota", "Rate",
    "EnvView", "TEMPLATE_TEXT_LIMIT", "check_jinja", "compile_jinja", "host_port",
    "StepCode", "step_function", "lookup", "indented", "HELD_SEND",
]
# fmt: on


ConfigModel = type[NodeConfig]

Overflow = Literal["block", "drop-oldest", "drop-newest"]


class SinkConfig(NodeConfig):
    """Base of a sink's configuration: the bounded buffer in front of it.

    While the server is away (or slower than the flow) messages wait in this buffer, and are
    written when it returns. When the buffer is full, ``overflow`` decides: ``block`` pauses the
    flow's sources (back-pressure: a broker keeps the messages, nothing is lost); ``drop-oldest``
    or ``drop-newest`` gives up one message, which fails with an error naming the node (so a
    ``catch`` node sees it and an acknowledging source is nacked), never silently.
    """

    buffer: int = field(
        10_000, ge=1, le=10_000_000, advanced=True,
        description="Messages held while the server is away or slow, before `overflow` applies.",
    )
    overflow: Overflow = field(
        "block", advanced=True,
        description="When the buffer is full: `block` pauses the sources (nothing is lost), "
        "`drop-oldest` or `drop-newest` fails one message with an error that catch nodes see.",
    )


class Node:
    """Base of every node type. Subclass one of the category classes, not this."""

    type: ClassVar[str] = ""
    category: ClassVar[Category]
    inputs: ClassVar[int] = 1
    outputs: ClassVar[int] = 1
    stability: ClassVar[Stability] = "stable"
    icon: ClassVar[str] = ""
    """The editor's icon for the type: a name of ui/js/icons.js's ICONS (``clock``, ``code``,
    ``database``...); empty for its category's."""
    asynchronous: ClassVar[bool] = False
    """True when messages may leave later than they arrived (a queue, a timer, I/O)."""
    mutates: ClassVar[bool] = True
    """False when the node only reads the messages it receives: it never changes one (nor
    anything inside it), keeps no reference to it or its parts after ``process`` returns, and
    sends only by returning. Such a synchronous node may be lent a message on a fan-out, with no
    copy; what it returns is lent on in turn, and copied only where it reaches a node that may
    change it (see :mod:`flowrt.run.dispatch`)."""
    fresh_outputs: ClassVar[bool] = False
    """True when the messages of one output never share a mutable part (a dict, a list) with
    one another: when a node sends several at once (a split, a CSV's rows), each is then given
    to its branch without a copy. False: all but the last are copied where they reach a node
    that may change them."""
    Config: ClassVar[ConfigModel] = NodeConfig
    runs_code: ClassVar[Literal["sandboxed", "unrestricted"] | None] = None
    """Whether the node runs code a flow's author writes: ``"sandboxed"`` when that code cannot
    reach files, the network or the process (an embedded interpreter with no such bindings),
    ``"unrestricted"`` when it runs with the rights of the flowrt process. A server that others
    can reach refuses such nodes by its ``--scripts`` policy (see :mod:`flowrt.check.policy`)."""
    evaluates: ClassVar[Mapping[Evaluated, tuple[str, ...]]] = {}
    """What the node evaluates of what a flow's author writes, by kind: ``{"regex":
    ("rules[].regex",), "jsonata": ("rules[].jsonata", "property")}``. A field is a config key,
    a path into one, or a message property read instead (``msg.template``). The ``--scripts``
    policy refuses by it (code kinds: python, javascript, sql, flux, influxql), and the
    catalog, ``flowrt nodes`` and docs/security.md show it (see :mod:`flowrt.evaluated`)."""

    def __init__(self, node_id: str, config: Any, ctx: NodeContext) -> None:
        self.id = node_id
        self.config = config
        self.ctx = ctx

    @classmethod
    def output_count(cls, config: Any) -> int:
        """The number of output ports for this configuration (default: ``outputs``)."""
        return cls.outputs

    @classmethod
    def stands_in(cls, config: Any) -> str | None:
        """Why this node stands in for one that could not be imported (``flowrt validate``
        warns of it, W110, and counts it as a source: what is behind it is not unreachable);
        None, the default, for a node that does its own work."""
        return None

    async def start(self) -> None:
        """Called once before the first message; acquire what the node needs."""

    async def stop(self) -> None:
        """Called once at shutdown, after in-flight messages drained; release everything."""


class Transform(Node):
    """A synchronous step: ``process`` receives a message and returns what to send.

    ``process`` must not block: it runs inline on the event loop, fused with its neighbours.
    Raising an exception routes the message to ``catch`` nodes with ``msg.error`` set.
    """

    category: ClassVar[Category] = "transform"

    def process(self, msg: Message) -> Output:
        raise NotImplementedError


class AsyncTransform(Node):
    """A step with its own bounded input queue; ``receive`` may await, and sends via the context.

    The engine calls ``receive`` for one message at a time. A node that holds messages (a delay,
    a join) reports each held message as finished only when it sends or drops it.
    """

    category: ClassVar[Category] = "transform"
    asynchronous: ClassVar[bool] = True
    queue_size: ClassVar[int] = 1000

    async def receive(self, msg: Message) -> None:
        raise NotImplementedError


class Source(Node):
    """Produces messages from outside: a broker, a timer, a file.

    The engine calls ``connect`` (retrying with back-off while it raises :class:`NotConnected`),
    then ``read`` in a loop. ``read`` returns ``(msg, ack)``; ``ack`` is ``None`` for sources that
    need no acknowledgement. It raises :class:`NotConnected` or :class:`ConnectionLost` when the
    server went away (the engine reconnects), :class:`EndOfInput` when the source is exhausted.
    ``close`` is called once on shutdown, with a 15 s limit.
    """

    category: ClassVar[Category] = "source"
    inputs: ClassVar[int] = 0
    asynchronous: ClassVar[bool] = True
    journal_by_default: ClassVar[bool] = False
    """True where the server may drop what waits for a slow client (Mosquitto's queue per
    client): an at-least-once source of this type reads through a local journal unless its
    node says ``journal: false`` (see :mod:`flowrt.run.journal`)."""

    def risks(self, guarantee: str | None, journaled: bool) -> list[str]:
        """Ways the server may lose messages for this node as configured (with its guarantee,
        through a journal or not), each saying what to do; warned of when it starts reading."""
        return []

    @classmethod
    def acknowledges(cls, config: Any) -> bool:
        """True when, with this configuration, the server waits for each message read to be
        acknowledged (an AMQP queue, an MQTT QoS 1 or 2 subscription). Such a source is
        at-least-once unless its node says ``guarantee: at-most-once``."""
        return False

    @classmethod
    def once_in_group(cls, config: Any) -> bool:
        """True when, in a group of workers running the same flows, this source must run on one
        worker only (a timer, an MQTT subscription that is not shared): the worker holding the
        group's lock for it runs it, and another takes over when that worker dies. False for a
        source whose server shares the messages among consumers (an AMQP queue, an MQTT shared
        subscription): it runs on every worker."""
        return True

    def window(self) -> tuple[str, int] | None:
        """The most messages this source may have unacknowledged at once, as (key, limit): an
        AMQP prefetch, an MQTT receive maximum (keyed by the connection when the limit is the
        connection's). When that many of its messages are in the flow the server sends no more
        until some are acknowledged, so sinks write their partial batches at once instead of
        waiting out ``batch_interval``. None: no such limit."""
        return None

    async def connect(self) -> None:
        """Open what the source reads from."""

    async def read(self) -> tuple[Message, Ack | None]:
        raise NotImplementedError

    async def close(self) -> None:
        """Release what ``connect`` opened."""


class Sink(Node):
    """Commits messages outside: a broker, a database, a file, the console.

    The engine groups messages into batches of at most ``batch_size`` and calls ``write`` with
    each. A batch waits for more messages only while more are on their way (a source is in the
    middle of what it has at hand, an asynchronous transform holds some), and at most
    ``batch_interval`` seconds (:mod:`flowrt.run.inflow`). A message is
    finished (and its source acknowledged) when ``write`` returned, except a message ``write``
    failed on its own with ``self.ctx.error(exc, msg)`` (a row the database refused): that one
    goes to catch nodes and its source is nacked. ``flush`` is called before shutdown.
    Raising :class:`NotConnected` or :class:`ConnectionLost` makes the engine keep the batch,
    reconnect with back-off and write it again.
    """

    category: ClassVar[Category] = "sink"
    outputs: ClassVar[int] = 0
    asynchronous: ClassVar[bool] = True
    batch_size: ClassVar[int] = 1
    batch_interval: ClassVar[float] = 0.0

    @classmethod
    def confirms(cls, config: Any) -> Confirmation:
        """Whether, with this configuration, ``write`` returns only once the server has the
        messages (a committed transaction, an accepted write, a publisher confirm). A sink that
        cannot (MQTT QoS 0) on the path of an at-least-once source is warned about by ``flowrt
        validate`` (W109) with the :class:`Confirmation`'s reason and fix."""
        return Confirmation(True)

    async def write(self, batch: list[Message]) -> None:
        raise NotImplementedError

    def prepare(self, batch: list[Message]) -> None:
        """Work out what ``write`` will send for ``batch`` (the next one) while the batch before
        is still being written. A sink that overrides this is handed its next batch early, once
        it is full, so that its own work on a batch (making the request) overlaps the server's
        on the one before. Only that work moves: ``write`` is then called with the same list,
        one batch at a time and in order, and a message still counts as written only when its
        own ``write`` returned. ``write`` also gets batches that were never prepared (one that
        did not fill while the one before was written). ``prepare`` should not raise: an
        exception is logged, and ``write`` gets the batch anyway."""

    async def flush(self) -> None:
        """Commit anything the sink holds."""


class Listener(Node):
    """Receives the engine's events about other nodes: errors (catch), status (status) and
    finished messages (complete).

    ``event`` names which. The engine calls ``process`` with the event message (for errors, a
    copy of the failed message with ``error`` set; for status, ``{"status": {...}}``; for
    complete, a copy of the finished message) for every node in ``scope()``: ``None`` means
    every node of the listener's own flow. ``only_uncaught`` listeners get an error only when
    no other listener in the flow took it (Node-RED's "uncaught errors only").
    """

    category: ClassVar[Category] = "source"
    inputs: ClassVar[int] = 0
    event: ClassVar[str] = "error"
    mutates: ClassVar[bool] = False

    def scope(self) -> Collection[str] | None:
        return None

    @property
    def only_uncaught(self) -> bool:
        return False

    def process(self, msg: Message) -> Output:
        return msg


class Connection(Node):
    """Shared configuration and client of a server, named by nodes in ``connections:``."""

    category: ClassVar[Category] = "connection"
    inputs: ClassVar[int] = 0
    outputs: ClassVar[int] = 0

    async def open(self) -> None:
        """Connect (lazily is fine: nodes call it before first use)."""

    async def close(self) -> None:
        """Disconnect."""
