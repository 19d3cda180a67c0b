"""Message tracing: an OpenTelemetry span for each node a message visits (optional, off by default).

A message's path through the flows is one trace. Each visit of a node is a span named
``<type> <id>`` whose parent is the span of the node that sent the message; it covers the node's
own work (a synchronous node's ``process``, an asynchronous transform's ``receive``, a sink's
``write`` of the batch holding the message), not what later nodes do with its output. Its
attributes: ``flowrt.node.id``, ``flowrt.node.type``, ``flowrt.flow.id``, ``flowrt.msg.id``
(Node-RED's ``_msgid``) and, for MQTT and AMQP nodes, the OpenTelemetry messaging attributes. No
value of the message other than ``_msgid`` and a messaging node's ``topic`` is recorded, and no
configuration value; of an error, only its type.

The trace travels **in the message**: :data:`TRACE_KEY` holds the W3C ``traceparent`` of the
span of the last node that had it, so it follows the message (and its copies) through queues,
delays, joins, link calls and subflows. A node visit sets it to its own span; a message a node
makes anew (``return {...}``, ``ctx.send`` while it works) gets its span too. Between processes
the nodes carry it (``ctx.traceparent(msg)`` to send it, ``ctx.continue_trace(msg, text)`` on
receipt): MQTT 5 user properties, AMQP headers, HTTP headers.

Off (the default) nothing here runs on the message path and ``opentelemetry`` is not imported:
dispatch wraps nothing (as :mod:`flowrt.run.metrics` does between two armings). On, with
``FLOWRT_TRACE=otlp`` (export over OTLP/HTTP to ``OTEL_EXPORTER_OTLP_ENDPOINT``, the standard
variables) or ``console`` (spans printed as JSON), ``flowrt run --trace``. ``FLOWRT_TRACE_SAMPLE``
is the share of traces recorded (0 to 1; default: the SDK's, from ``OTEL_TRACES_SAMPLER``, which
records all). With the SDK's ParentBased sampler (the default, and ``FLOWRT_TRACE_SAMPLE``'s) a
trace not recorded makes no span at all: its traceparent is made where it starts and passed on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from random import getrandbits, random
from typing import TYPE_CHECKING, Any

from flowrt.errors import ConfigError
from flowrt.run.spans import Spans

if TYPE_CHECKING:
    from flowrt.compile.plan import PlannedNode
    from flowrt.run.delivery import Delivery
    from flowrt.run.ports import Input
    from flowrt.types import Message, Output

    Emit = Callable[[Output, Delivery], None]

TRACE_KEY = "_traceparent"
"""The message property holding the W3C traceparent of the span of the last node it visited."""
MODES = ("otlp", "console")
_TRACEPARENT = re.compile(r"00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})\Z")
_UNSAMPLED = frozenset("02468ace")
"""The last digit of a traceparent whose trace is not recorded (its flags' bit 0 is clear)."""
_MESSAGING = {"mqtt": "mqtt", "amqp": "rabbitmq"}
"""A node type's first word -> ``messaging.system``."""

_installed: Tracing | None = None
_configured: str | None = None
_paths: Spans | None = None
"""The recorder of sampled messages' paths (:mod:`flowrt.run.paths`), when it is on."""


def settings(env: Mapping[str, str] | None = None) -> tuple[str | None, float | None]:
    """(``FLOWRT_TRACE``: ``otlp``, ``console`` or None for off; ``FLOWRT_TRACE_SAMPLE``: a
    ratio, or None for the SDK's default). ValueError naming the variable when wrong."""
    env = os.environ if env is None else env
    mode = env.get("FLOWRT_TRACE", "").strip().lower() or None
    if mode in ("off", "0", "false", "no"):
        mode = None
    if mode is not None and mode not in MODES:
        raise ValueError(f"FLOWRT_TRACE must be otlp, console or off; got {mode!r}")
    text = env.get("FLOWRT_TRACE_SAMPLE", "").strip()
    if not text:
        return mode, None
    try:
        ratio = float(text)
    except ValueError:
        ratio = -1.0
    if not 0 <= ratio <= 1:
        raise ValueError(f"FLOWRT_TRACE_SAMPLE must be a number from 0 to 1; got {text!r}")
    return mode, ratio


def active() -> Spans | None:
    """The process's tracing: one installed (:func:`install`), else what ``FLOWRT_TRACE`` asks
    for (its exporter made once per process), else the path recorder (:func:`record_paths`),
    else None."""
    global _configured
    if _installed is not None:
        return _installed
    mode, ratio = settings()
    if mode is None:
        return _paths
    if _configured != mode:
        _configured = mode
        install(_provider(mode, ratio))
    return _installed


def install(provider: Any) -> Tracing:
    """Trace every runtime made from now on with ``provider`` (an SDK TracerProvider: tests give
    one with an in-memory exporter)."""
    global _installed
    feeding = _paths.processor() if _paths is not None else None
    if feeding is not None:  # the path recorder keeps the paths of the traces recorded
        provider.add_span_processor(feeding)
    _installed = Tracing(provider)
    return _installed


def record_paths(recorder: Spans | None) -> None:
    """Record the paths of sampled messages with ``recorder`` from now on (None: stop); with
    OpenTelemetry on, those of the traces it records."""
    global _paths
    _paths = recorder


def uninstall() -> None:
    global _installed, _configured
    _installed = _configured = None


def _provider(mode: str, ratio: float | None) -> Any:
    try:
        import opentelemetry.sdk.trace  # noqa: F401
    except ImportError as exc:
        raise ConfigError(
            f"FLOWRT_TRACE={mode} needs OpenTelemetry: pip install 'flowrt[tracing]'") from exc
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    sampler = None if ratio is None else ParentBased(TraceIdRatioBased(ratio))
    service = {} if os.environ.get("OTEL_SERVICE_NAME") else {"service.name": "flowrt"}
    provider = TracerProvider(sampler=sampler, resource=Resource.create(service))
    if mode == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter: Any = OTLPSpanExporter()
    else:
        exporter = ConsoleSpanExporter()
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def traceparent_of(span: Any) -> str:
    sc = span.get_span_context()
    return f"00-{sc.trace_id:032x}-{sc.span_id:016x}-{sc.trace_flags:02x}"


class Tracing(Spans):
    """An OpenTelemetry tracer, its spans exported by its provider."""

    def __init__(self, provider: Any) -> None:
        from opentelemetry import trace
        from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
        from opentelemetry.trace import SpanKind, Status, StatusCode

        self.provider = provider
        self.tracer = provider.get_tracer("flowrt")
        self._trace = trace
        self._kinds = {"source": SpanKind.CONSUMER, "sink": SpanKind.PRODUCER}
        self._internal = SpanKind.INTERNAL
        self._error = (Status, StatusCode.ERROR)
        sampler = getattr(provider, "sampler", None)
        self.follow_parent = isinstance(sampler, ParentBased)
        root = getattr(sampler, "_root", None) if self.follow_parent else None
        self.root_ratio: float | None = (
            root.rate if isinstance(root, TraceIdRatioBased) else None)
        """The share of new traces recorded, when the sampler is ParentBased(TraceIdRatioBased):
        a trace not recorded is then started without a span, as the sampler would decide."""

    def kind(self, category: str, messaging: bool) -> Any:
        """Consumer or producer for a messaging source or sink, else internal."""
        return self._kinds.get(category, self._internal) if messaging else self._internal

    def new_trace(self) -> bool:
        return self.root_ratio is None or random() < self.root_ratio

    def start(self, name: str, kind: Any, parent: str | None, attributes: dict[str, Any]
              ) -> tuple[Any, str]:
        span = self.tracer.start_span(name, self.parent(parent), kind, attributes)
        return span, traceparent_of(span)

    def end(self, span: Any, error: BaseException | None) -> None:
        """End ``span``; with an error, its status says the error's type (not its text: it may
        quote the message)."""
        if error is not None:
            status, code = self._error
            kind = type(error).__name__
            span.set_attribute("error.type", kind)
            span.set_status(status(code, kind))
        span.end()

    def parent(self, traceparent: Any) -> Any:
        """The OpenTelemetry context of a traceparent (None: a new trace)."""
        if type(traceparent) is not str or len(traceparent) != 55:
            return None
        trace = self._trace
        try:
            sc = trace.SpanContext(int(traceparent[3:35], 16), int(traceparent[36:52], 16), False,
                                   trace.TraceFlags(int(traceparent[53:55], 16)))
        except ValueError:
            return None
        return trace.set_span_in_context(trace.NonRecordingSpan(sc))


def valid_traceparent(text: Any) -> str | None:
    """``text`` when it is a W3C traceparent (version 00, ids not zero), else None."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    if not isinstance(text, str):
        return None
    given: str = text.strip().lower()
    found = _TRACEPARENT.match(given)
    if found is None or not int(found[1], 16) or not int(found[2], 16):
        return None
    return given


class NodeTrace:
    """One node's spans: wrappers for its ``process`` and, a source's, ``emit``
    (:mod:`flowrt.run.dispatch`), :meth:`begin`/:meth:`end` for the engine's loops
    (:mod:`flowrt.run.workers`). What a node sends itself during a visit is marked with it
    (:attr:`current`) by :meth:`flowrt.run.context.NodeContext.send`."""

    __slots__ = ("name", "attributes", "kind", "messaging", "current", "held", "open", "remote",
                 "light", "_tracing")

    def __init__(self, tracing: Spans, pn: PlannedNode, held: Mapping[int, Any]) -> None:
        self._tracing = tracing
        self.light = tracing.light
        """Whether a trace starts at sources only (:attr:`Spans.light`): then a visit by a
        message without a trace is no span, and dispatch calls the node's own process."""
        self.remote = not tracing.light
        """Whether the trace goes to and comes from other processes (traceparent headers)."""
        self.held = held
        self.open: dict[int, Any] = {}
        """id of a held message -> its span, ended when the node is done with it."""
        self.name = f"{pn.type} {pn.id}"
        category = pn.spec.category
        self.attributes: dict[str, Any] = {
            "flowrt.node.id": pn.id, "flowrt.node.type": pn.type, "flowrt.flow.id": pn.flow}
        system = _MESSAGING.get(pn.type.split("-", 1)[0])
        self.messaging = system is not None
        if system is not None:
            self.attributes["messaging.system"] = system
            self.attributes["messaging.operation.type"] = (
                "receive" if category == "source" else "send" if category == "sink" else "process")
        self.kind = tracing.kind(category, system is not None)
        self.current: str | None = None
        """The traceparent of the visit under way (what the node sends meanwhile is its child)."""

    def begin(self, msg: Message, source: bool = False) -> Any:
        """Start the span of ``msg``'s visit, and mark ``msg`` with it; None when its trace is
        not recorded (``source``: the node read or made it)."""
        tracing = self._tracing
        parent = msg.get(TRACE_KEY)
        if parent is not None and (type(parent) is not str or not _TRACEPARENT.match(parent)):
            parent = None  # a flow's own `_traceparent`, no trace of ours: followed by none
        if tracing.follow_parent and type(parent) is str and parent[-1:] in _UNSAMPLED:
            self.current = parent  # what it sends meanwhile stays in that unrecorded trace
            return None
        if parent is None and (tracing.light and not source or not tracing.new_trace()):
            if not tracing.light:
                msg[TRACE_KEY] = self.current = (  # a new trace, not recorded
                    f"00-{getrandbits(128) or 1:032x}-{getrandbits(64) or 1:016x}-00")
            return None
        return self._start(msg, parent)

    def _start(self, msg: Message, parent: str | None) -> Any:
        """The span of ``msg``'s visit, recorded, the child of ``parent`` (None: it starts a
        trace); ``msg`` is marked with it."""
        attributes = dict(self.attributes)
        msgid = msg.get("_msgid")
        if type(msgid) is str:
            attributes["flowrt.msg.id"] = msgid
        if self.messaging:
            topic = msg.get("topic")
            if type(topic) is str:
                attributes["messaging.destination.name"] = topic
        span, msg[TRACE_KEY] = self._tracing.start(self.name, self.kind, parent, attributes)
        self.current = msg[TRACE_KEY]
        return span

    def end(self, span: Any, error: BaseException | None = None) -> None:
        """End a span :meth:`begin` started; with an error, its status says the error's type
        (not its text: it may quote the message)."""
        if span is not None:
            self._tracing.end(span, error)

    def finish(self, span: Any, msg: Message, error: BaseException | None = None) -> None:
        """:meth:`end` the span of ``msg``'s visit, or, when the node holds ``msg`` (a delay, a
        request under way), once it is done with it (:meth:`release`)."""
        if span is not None and error is None and id(msg) in self.held:
            self.open[id(msg)] = span
        else:
            self.end(span, error)

    def release(self, msg: Message, error: BaseException | None) -> None:
        """The node is done with a message it held: its visit's span ends."""
        if self.open:
            self.end(self.open.pop(id(msg), None), error)

    def done(self, span: Any, msg: Message, error: BaseException | None = None) -> None:
        """:meth:`finish`, for the engine's loops: the visit under way is over."""
        self.finish(span, msg, error)
        self.current = None

    def wrap_process(self, plain: Callable[[Message], Output]) -> Callable[[Message], Output]:
        """``plain`` (a synchronous node's ``process``) in a span per message, and what it
        returns marked as sent from that visit. (:attr:`light`: dispatch calls it only for a
        message that carries a trace.)"""
        begin, end, finish = self.begin, self.end, self.finish

        def traced(msg: Message) -> Output:
            outer = self.current
            span = begin(msg)
            try:
                out = plain(msg)
            except BaseException as exc:
                end(span, exc)
                raise
            finally:
                mine, self.current = self.current, outer
            finish(span, msg)
            if out is not None:
                stamp(out, mine)
            return out

        return traced

    def keep_lent(self, given: Input) -> Input:
        """``given`` (the input of a node lent messages), giving back each message's trace once
        the node and what it sent to are done: the other nodes it is lent to are not its
        children."""

        def lent(msg: Message, d: Delivery) -> None:
            before = msg.get(TRACE_KEY)
            try:
                given(msg, d)
            finally:
                if before is None:
                    msg.pop(TRACE_KEY, None)
                else:
                    msg[TRACE_KEY] = before

        return lent

    def wrap_source(self, emit: Emit) -> Emit:
        """``emit`` of a source, each message it sends a visit of it: a span of its own when
        its trace is recorded (the path recorder: when it is sampled, :meth:`Spans.new_trace`).
        """
        begin, end = self.begin, self.end

        def sourced(output: Output, d: Delivery) -> None:
            for msg in _messages(output):
                end(begin(msg, True))
            emit(output, d)

        if not self.light:
            return sourced
        new_trace, start = self._tracing.new_trace, self._start

        def sampled(output: Output, d: Delivery) -> None:
            if type(output) is dict and TRACE_KEY not in output:  # one message, as most send
                if new_trace():
                    end(start(output, None))
                emit(output, d)
            else:
                sourced(output, d)

        return sampled


def stamp(output: Any, traceparent: str | None) -> None:
    """Mark the messages of ``output`` that have no trace with ``traceparent``."""
    if traceparent is None:
        return
    for msg in _messages(output):
        if TRACE_KEY not in msg:
            msg[TRACE_KEY] = traceparent


def _messages(output: Any) -> list[Message]:
    if type(output) is dict:
        return [output]
    found: list[Message] = []
    if isinstance(output, list | tuple):
        for item in output:
            if isinstance(item, dict):
                found.append(item)
            elif isinstance(item, list):
                found.extend(m for m in item if isinstance(m, dict))
    return found
