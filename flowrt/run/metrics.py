"""What a runtime measures besides each node's messages in and out (``Runtime.stats``).

- **Processing time**, as histograms (:class:`Histogram`), sampled so that the message path
  costs nothing more: a synchronous node (fused into its caller's chain of calls,
  :mod:`flowrt.run.dispatch`) times the first message it gets after each tick of the meter,
  every :func:`sample_interval` seconds (its ``process`` alone, not what later nodes do with
  its output); between ticks its input is exactly what it was without metrics. An
  asynchronous transform times every message (``receive``, which awaits I/O: two clock
  reads are nothing beside it); a sink times every batch it writes (``write``, retries
  included) and records the batch's size.
- **Connections**: whether each is up, and how often it came back (:class:`Link`). The engine
  reports the sources and sinks that name a connection as their loops connect and lose it
  (:mod:`flowrt.run.workers`); a connection with its own loop (an MQTT session shared by the
  nodes of a broker) reports itself with ``ctx.report_connection(up)``. Nobody writes metrics
  text: :mod:`flowrt.server.metrics` renders what is here.
- Queue depths, acknowledgement windows and journals are read where they are kept, when asked
  (:func:`node_metrics`).

``FLOWRT_METRICS_SAMPLE`` sets the sampling of synchronous nodes: seconds between two timed
messages of one node (default 0.1, so at most 10 a second); ``0`` times every message (a cost
on the message path: for tests and a closer look); ``off`` times none.
"""

from __future__ import annotations

import asyncio
import os
from bisect import bisect_left
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from flowrt.run.queue import NodeQueue
    from flowrt.run.windows import Windows

LATENCY_BUCKETS = (0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                   0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
"""Upper bounds in seconds: a fused transform takes microseconds, a sink's batch up to seconds."""
BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000)
"""Upper bounds of a sink's batch sizes, in messages."""


def sample_interval(env: Mapping[str, str] | None = None) -> float | None:
    """Seconds between two timed messages of a synchronous node (``FLOWRT_METRICS_SAMPLE``):
    0 for every message, None for none. Raises ValueError naming the variable when it is
    neither a number >= 0 nor ``off``."""
    text = (os.environ if env is None else env).get("FLOWRT_METRICS_SAMPLE", "").strip()
    if not text:
        return 0.1
    if text.lower() == "off":
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise ValueError(f"FLOWRT_METRICS_SAMPLE must be seconds >= 0 or 'off'; got {text!r}")
    return seconds


class Journaled(Protocol):
    """What is read of a source's journal: the messages it holds, and the most it may."""

    rows: int

    @property
    def settings(self) -> Any: ...


class Histogram:
    """Counts of observations per bucket (not cumulative: see :meth:`snapshot`), their sum and
    count."""

    __slots__ = ("bounds", "counts", "sum", "count")

    def __init__(self, bounds: tuple[float, ...]) -> None:
        self.bounds = bounds
        self.counts = [0] * (len(bounds) + 1)
        self.sum = 0.0
        self.count = 0

    def observe(self, value: float) -> None:
        self.counts[bisect_left(self.bounds, value)] += 1
        self.sum += value
        self.count += 1

    def snapshot(self) -> dict[str, Any]:
        """``{"le": [[bound, cumulative count], ...], "sum", "count"}``, Prometheus' shape (the
        last bound is ``"+Inf"``)."""
        total, le = 0, []
        for bound, n in zip([*self.bounds, "+Inf"], self.counts, strict=True):
            total += n
            le.append([bound, total])
        return {"le": le, "sum": self.sum, "count": self.count}


@dataclass(slots=True)
class Link:
    """One connection as its owner reported it: up now, and how often it came back."""

    type: str
    flow: str
    up: bool = False
    ups: int = 0

    @property
    def reconnects(self) -> int:
        """Times it was connected again after having been connected (the first is not one)."""
        return max(0, self.ups - 1)


@dataclass(slots=True)
class Meter:
    """One runtime's measurements (see the module)."""

    interval: float | None = field(default_factory=sample_interval)
    timings: dict[str, Histogram] = field(default_factory=dict)
    """A transform's processing time (a synchronous one's sampled)."""
    writes: dict[str, Histogram] = field(default_factory=dict)
    """A sink's time per batch written."""
    batches: dict[str, Histogram] = field(default_factory=dict)
    """A sink's batch sizes."""
    links: dict[str, Link] = field(default_factory=dict)
    armers: dict[str, list[Callable[[], None]]] = field(default_factory=dict)
    """Node id -> how to have its inputs time their next message (:mod:`flowrt.run.dispatch`)."""
    _tick: asyncio.TimerHandle | None = None
    journals: dict[str, Journaled] = field(default_factory=dict)
    """A journaled source's journal (:mod:`flowrt.run.journal`): what it holds is what the
    flow has not finished (the broker's acknowledgement is given once it is stored)."""

    @property
    def always(self) -> bool:
        """True when every message is timed (the inputs need no arming)."""
        return self.interval == 0

    def timing(self, node_id: str) -> Histogram | None:
        """The processing-time histogram of a node (made on first ask); None when nothing is
        timed."""
        if self.interval is None:
            return None
        found = self.timings.get(node_id)
        if found is None:
            found = self.timings[node_id] = Histogram(LATENCY_BUCKETS)
        return found

    def armers_of(self, node_id: str) -> list[Callable[[], None]]:
        return self.armers.setdefault(node_id, [])

    def start(self) -> None:
        """Arm every synchronous node's input each ``interval`` seconds, on the running loop's
        own timer (not the runtime's clock: a flow test's clock and idleness ignore it)."""
        if self.interval and self._tick is None:
            self._tick = asyncio.get_running_loop().call_later(self.interval, self._arm)

    def arm(self) -> None:
        """Have every synchronous node time the next message it gets."""
        for arms in self.armers.values():
            for arm in arms:
                arm()

    def _arm(self) -> None:
        self.arm()
        assert self.interval
        self._tick = asyncio.get_running_loop().call_later(self.interval, self._arm)

    def stop(self) -> None:
        if self._tick is not None:
            self._tick.cancel()
            self._tick = None

    def sink(self, node_id: str) -> tuple[Histogram, Histogram]:
        """A sink's (write time per batch, batch size) histograms, made on first ask."""
        if node_id not in self.writes:
            self.writes[node_id] = Histogram(LATENCY_BUCKETS)
            self.batches[node_id] = Histogram(BATCH_BUCKETS)
        return self.writes[node_id], self.batches[node_id]

    def forget(self, node_id: str) -> None:
        """Drop what was measured of a node or connection that is gone (a hot swap)."""
        self.timings.pop(node_id, None)
        self.writes.pop(node_id, None)
        self.batches.pop(node_id, None)
        self.links.pop(node_id, None)
        self.journals.pop(node_id, None)
        self.armers.pop(node_id, None)

    def report_connection(self, conn_id: str, type_: str, flow: str, up: bool) -> None:
        """``conn_id`` (a connection, or a node owning its connection) is up or down now."""
        link = self.links.get(conn_id)
        if link is None:
            link = self.links[conn_id] = Link(type_, flow)
        if up and not link.up:
            link.ups += 1
        link.up = up


def node_metrics(
    meter: Meter, queues: Mapping[str, NodeQueue], windows: Windows,
) -> dict[str, dict[str, Any]]:
    """Node id -> what was measured of it beyond its counts (only what it has): ``timing``,
    ``write`` and ``batch_size`` histograms (:meth:`Histogram.snapshot`), ``queue`` (depth, limit),
    ``batch_ends`` (a sink's batches by how they ended), ``unacked`` (messages of a source
    with an acknowledgement window still in the flow, and the window; sources of one connection
    share a window) and ``journal`` (a journaled source's messages not finished by the flow,
    and the journal's bound): each as ``{"count"/"depth", "limit"}``."""
    out: dict[str, dict[str, Any]] = {}
    for node_id, hist in meter.timings.items():
        out.setdefault(node_id, {})["timing"] = hist.snapshot()
    for node_id, hist in meter.writes.items():
        out.setdefault(node_id, {})["write"] = hist.snapshot()
    for node_id, hist in meter.batches.items():
        out.setdefault(node_id, {})["batch_size"] = hist.snapshot()
    for node_id, queue in queues.items():
        entry = out.setdefault(node_id, {})
        entry["queue"] = {"depth": len(queue), "limit": queue.limit}
        if node_id in meter.batches:
            entry["batch_ends"] = dict(queue.batches)
    for node_id, (count, limit) in windows.by_source.items():
        out.setdefault(node_id, {})["unacked"] = {"count": count, "limit": limit}
    for node_id, journal in meter.journals.items():
        out.setdefault(node_id, {})["journal"] = {
            "count": journal.rows, "limit": journal.settings.max_messages}
    return out


def connection_metrics(meter: Meter) -> dict[str, dict[str, Any]]:
    """Connection (or node) id -> ``connected``, ``reconnects``, ``type`` and ``flow``."""
    return {conn_id: {"connected": link.up, "reconnects": link.reconnects, "type": link.type,
                      "flow": link.flow} for conn_id, link in meter.links.items()}
