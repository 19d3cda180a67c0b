"""The paths of sampled messages: which nodes each visited, when and for how long.

``flowrt serve`` records, for a sample of the messages its sources read or make, each visit of
a node: the node, its flow and type, when the visit started and how long the node worked on the
message, and which visit sent it there. The editor asks for a message's path by its trace id
(``GET /api/paths/{trace_id}``) and shows it on the canvas.

It is the runtime's tracing with another recorder (:class:`~flowrt.run.spans.Spans`): the same
wrappers (:class:`~flowrt.run.tracing.NodeTrace`) make a span of each visit, and the trace
travels in the message's ``_traceparent`` across fan-outs (each copy keeps it), links, link
calls, subflows, queues and delays; a catch node's visit is a child of the visit that failed.
Without OpenTelemetry a span is a :class:`Visit` kept here; with ``--trace`` on, the paths are
those of the traces OpenTelemetry records, taken from its spans as they end
(:meth:`Paths.processor`).

**Sampling** (``--path-sample``, ``FLOWRT_PATH_SAMPLE``): ``N/s``, the first N messages a
second that a source reads or makes (default ``10/s``: every message of a quiet flow, a bounded
cost on a busy one); a ratio from 0 to 1 (``1``: every message); ``off`` (or ``0``): nothing is
recorded and nothing is wrapped. Unlike OpenTelemetry's traces, these stay in the process: no
``traceparent`` is sent to a broker or an HTTP server, and none received is followed.

**Cost.** A message not sampled carries no trace and takes the calls it takes with the recorder
off: its source asked :meth:`Paths.new_trace` once, and each synchronous node's input looks for
a trace in it (one dict lookup) and calls the node's own ``process``; only a message with a
trace goes through the tracing wrappers (:func:`flowrt.run.dispatch.make_input`,
:attr:`Spans.light`). On chain5's five fused steps, nodes of a few microseconds, the default
keeps 0.95x to 0.98x of the rate with the recorder off, and recording every message 0.25x
(``benchmarks/bench_paths.py``); a node doing I/O does not notice either.

**Memory** is bounded: the :data:`KEEP` most recent traces, each with at most
:data:`MAX_VISITS` visits (a message going round a loop stops being recorded there).

Nothing of a message is kept but the ids of the nodes it went through: no payload, no property,
no configuration, of an error only its type.
"""

from __future__ import annotations

import os
import re
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from random import getrandbits, random
from time import monotonic, perf_counter, time
from typing import Any

from flowrt.run.spans import Spans
from flowrt.run.tracing import active, record_paths

KEEP = 500
"""Traces kept: the oldest is forgotten when a new one starts."""
MAX_VISITS = 1000
"""Visits kept of one trace."""
DEFAULT_SAMPLE = "10/s"
ENV = "FLOWRT_PATH_SAMPLE"
TRACE_ID = re.compile(r"[0-9a-f]{32}\Z")
_PER_SECOND = re.compile(r"(\d+)\s*/\s*s\Z")


@dataclass(frozen=True)
class Sample:
    """Which messages have their path recorded: ``per_second`` first ones each second, or a
    ``ratio`` of them; neither: none."""

    per_second: int | None = None
    ratio: float | None = None

    @property
    def off(self) -> bool:
        return not self.per_second and not self.ratio

    def __str__(self) -> str:
        if self.off:
            return "off"
        return f"{self.per_second}/s" if self.per_second else f"{self.ratio:g}"


def parse_sample(text: str | None) -> Sample:
    """``N/s``, a ratio from 0 to 1, or ``off``; ValueError naming the setting otherwise."""
    given = (DEFAULT_SAMPLE if text is None else text).strip().lower() or DEFAULT_SAMPLE
    if given in ("off", "no", "false"):
        return Sample()
    per_second = _PER_SECOND.match(given)
    if per_second:
        return Sample(per_second=int(per_second[1]))
    try:
        ratio = float(given)
    except ValueError:
        ratio = -1.0
    if not 0 <= ratio <= 1:
        raise ValueError(f"the path sample ({ENV}, --path-sample) is N/s, a number from 0 to 1 "
                         f"or off; got {text!r}")
    return Sample(ratio=ratio)


def sample_setting(env: Mapping[str, str] | None = None) -> Sample:
    """The sample ``FLOWRT_PATH_SAMPLE`` asks for (the default when it is not set)."""
    return parse_sample((os.environ if env is None else env).get(ENV))


class Visit:
    """One visit of a node by a message: the span of the path recorder."""

    __slots__ = ("span", "parent", "node", "flow", "type", "start", "began", "duration", "error")

    def __init__(self, span: str, parent: str | None, attributes: Mapping[str, Any],
                 start: float, began: float) -> None:
        self.span = span
        self.parent = parent
        self.node: str = attributes["flowrt.node.id"]
        self.flow: str = attributes["flowrt.flow.id"]
        self.type: str = attributes["flowrt.node.type"]
        self.start = start
        """When it started, seconds since the epoch."""
        self.began = began
        """perf_counter() when it started."""
        self.duration: float | None = None
        """Seconds the node had the message; None while it still has it."""
        self.error: str | None = None


class Paths(Spans):
    """The paths of the latest sampled traces (:data:`KEEP`), and how node visits become
    :class:`Visit` s (the runtime's tracing wrappers call :meth:`start` and :meth:`end`)."""

    light = True

    def __init__(self, sample: Sample, keep: int = KEEP, max_visits: int = MAX_VISITS,
                 clock: Callable[[], float] = monotonic) -> None:
        self.sample = sample
        self.clock = clock
        """Seconds, for the windows of ``N/s``."""
        self.keep = keep
        self.max_visits = max_visits
        self.traces: OrderedDict[str, list[Visit]] = OrderedDict()
        self._window = 0.0
        self._left = 0

    def new_trace(self) -> bool:
        sample = self.sample
        if sample.per_second:
            now = self.clock()
            if now >= self._window:
                self._window, self._left = now + 1.0, sample.per_second
            if self._left <= 0:
                return False
            self._left -= 1
            return True
        return sample.ratio is not None and (sample.ratio >= 1 or random() < sample.ratio)

    def start(self, name: str, kind: Any, parent: str | None, attributes: dict[str, Any]
              ) -> tuple[Any, str]:
        trace_id = parent[3:35] if parent else f"{getrandbits(128) or 1:032x}"
        if parent is not None and len(self.traces.get(trace_id, ())) >= self.max_visits:
            return None, parent  # a full trace (a loop, a node making many messages): no more
        span_id = f"{getrandbits(64) or 1:016x}"
        visit = Visit(span_id, parent[36:52] if parent else None, attributes, time(),
                      perf_counter())
        self._note(trace_id, visit)
        return visit, f"00-{trace_id}-{span_id}-01"

    def end(self, span: Any, error: BaseException | None) -> None:
        if span is None:
            return
        span.duration = perf_counter() - span.began
        if error is not None:
            span.error = type(error).__name__

    def _note(self, trace_id: str, visit: Visit) -> None:
        visits = self.traces.get(trace_id)
        if visits is None:
            visits = self.traces[trace_id] = []
            while len(self.traces) > self.keep:
                self.traces.popitem(last=False)
        if len(visits) < self.max_visits:
            visits.append(visit)

    def path(self, trace_id: str) -> list[dict[str, Any]] | None:
        """The visits of a trace in the order they started, as JSON: ``node``, ``flow``,
        ``type``, ``start`` (ms since the epoch), ``duration_us`` (None: the node still has the
        message), ``from`` (the index of the visit that sent it here; None at the start) and
        ``error`` (the type of the error it raised, if it did); None for a trace not kept."""
        visits = self.traces.get(trace_id)
        if visits is None:
            return None
        ordered = sorted(list(visits), key=lambda v: v.start)
        index = {v.span: i for i, v in enumerate(ordered)}
        return [{"node": v.node, "flow": v.flow, "type": v.type,
                 "start": round(v.start * 1000, 3),
                 "duration_us": None if v.duration is None else round(v.duration * 1e6, 1),
                 "from": index.get(v.parent) if v.parent else None,
                 "error": v.error} for v in ordered]

    @property
    def recording(self) -> bool:
        """Whether this records the runtimes' visits itself (else OpenTelemetry does, and the
        paths are taken from its spans: ``--trace`` on)."""
        return active() is self

    def recorded(self, traceparent: Any) -> str | None:
        """The trace id of a message's ``_traceparent`` when its path is kept, else None."""
        if type(traceparent) is not str or len(traceparent) != 55:
            return None
        trace_id = traceparent[3:35]
        return trace_id if trace_id in self.traces else None

    def processor(self) -> Any:
        """An OpenTelemetry span processor noting each node visit it sees end (``--trace`` on:
        the paths are those of the traces it records)."""
        from opentelemetry.sdk.trace import SpanProcessor

        paths = self

        class Noting(SpanProcessor):
            def on_end(self, span: Any) -> None:
                attributes = span.attributes or {}
                if "flowrt.node.id" not in attributes or span.start_time is None:
                    return
                parent = f"{span.parent.span_id:016x}" if span.parent is not None else None
                visit = Visit(f"{span.context.span_id:016x}", parent, attributes,
                              span.start_time / 1e9, 0.0)
                if span.end_time is not None:
                    visit.duration = (span.end_time - span.start_time) / 1e9
                visit.error = attributes.get("error.type")
                paths._note(f"{span.context.trace_id:032x}", visit)

        return Noting()


def configure(sample: Sample) -> Paths | None:
    """Record the paths of ``sample`` in this process from now on (off: stop); the recorder."""
    global _recorder
    _recorder = None if sample.off else Paths(sample)
    record_paths(_recorder)
    return _recorder


def recorder() -> Paths | None:
    """This process's path recorder, when paths are recorded."""
    return _recorder


_recorder: Paths | None = None
