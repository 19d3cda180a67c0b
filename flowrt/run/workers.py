"""The engine's loops: reading sources, feeding asynchronous transforms, writing sinks.

Reconnection lives here, once, for every node: a source whose ``connect`` or ``read`` raises
NotConnected or ConnectionLost, or a sink whose ``write`` does, is retried with exponential
back-off (0.1 s doubling to 30 s, with jitter), its status showing it; the batch a sink was
writing is kept and written again, so nothing is dropped. A sink that prepares its batches
(``Sink.prepare``) is handed the next one, once full, while it writes the one before: its own
work on a batch overlaps the server's, while writes stay one at a time and in order.
AuthFailed is not retried: the node stops with a red status and an error naming it. A source
or sink that names a connection reports it up or down as it goes (``ctx.report_connection``,
:mod:`flowrt.run.metrics`).

The loops also measure: a sink the time of each batch it writes and the batch's size, an
asynchronous transform the time of each message (:mod:`flowrt.run.metrics`); with tracing on,
each message's visit is a span (:mod:`flowrt.run.tracing`).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from time import perf_counter
from typing import TYPE_CHECKING

from flowrt.api import AsyncTransform, Sink, Source
from flowrt.errors import AuthFailed, ConfigError, ConnectionError_, EndOfInput
from flowrt.run.metrics import Meter
from flowrt.types import Message

if TYPE_CHECKING:
    from flowrt.run.clock import Clock
    from flowrt.run.context import NodeContext
    from flowrt.run.events import Events
    from flowrt.run.ports import Intake, Phase
    from flowrt.run.queue import Item, NodeQueue

YIELD_EVERY = 64
"""A source that never awaits (its data is at hand) yields to the loop this often."""


@dataclass(frozen=True, slots=True)
class Engine:
    """What the loops need of their runtime: whether it is stopping, its clock, and where
    errors, completions and log lines go."""

    phase: Phase
    clock: Clock
    events: Events
    meter: Meter = field(default_factory=Meter)


class Backoff:
    def __init__(self, first: float = 0.1, most: float = 30.0) -> None:
        self.first = first
        self.most = most
        self.attempt = 0

    def next(self) -> float:
        delay: float = min(self.most, self.first * 2.0**self.attempt)
        self.attempt += 1
        return delay * (0.8 + 0.4 * random.random())

    def reset(self) -> None:
        self.attempt = 0


async def run_source(engine: Engine, intake: Intake, node: Source, ctx: NodeContext) -> None:
    """Connect ``node`` and read it into ``intake`` (the flow, or a journal) until the runtime
    stops or the source ends, reconnecting as needed."""
    backoff = Backoff()
    node_id = node.id
    phase, log_node = engine.phase, engine.events.log_node
    report = _reporter(ctx)
    down = False
    while not phase.stopping:
        try:
            await node.connect()
        except AuthFailed as exc:
            ctx.status("red", "ring", "authentication failed")
            report(False)
            log_node(node_id, "error", f"cannot connect: {exc}; check the credentials", None)
            return
        except ConfigError as exc:
            ctx.status("red", "ring", "configuration problem")
            log_node(node_id, "error", f"cannot start reading: {exc}", None)
            return
        except Exception as exc:
            # a server away (ConnectionError_) is expected; anything else is logged as an error
            expected = isinstance(exc, ConnectionError_)
            delay = backoff.next()
            ctx.status("red", "ring", "disconnected" if expected else "error")
            report(False)
            log_node(node_id, "warning" if expected else "error",
                     f"cannot connect: {exc if expected else repr(exc)}; "
                     f"retry in {delay:.1f} s", None)
            down = True
            await engine.clock.sleep(delay)
            continue
        if down:
            ctx.status("green", "dot", "connected")
            log_node(node_id, "info", "reconnected", None)
        report(True)
        backoff.reset()
        try:
            down = await _read(engine, intake, node, ctx, backoff)
        except EndOfInput:
            return
        if down:
            report(False)


def _reporter(ctx: NodeContext) -> Callable[[bool], None]:
    """How a source or sink tells whether it is connected: through ``ctx`` when it names a
    connection, else not at all (an inject node has nothing to be connected to)."""
    if getattr(ctx.planned.config, "connection", None):
        return ctx.report_connection
    return _unreported


def _unreported(up: bool) -> None:
    return None


async def _read(
    engine: Engine, intake: Intake, node: Source, ctx: NodeContext, backoff: Backoff
) -> bool:
    """Read ``node`` until the runtime stops (False), its connection is lost (True) or it ends
    (raises EndOfInput). The source counts as busy (:mod:`flowrt.run.inflow`) from each message
    it reads until it asks for the next one."""
    node_id = node.id
    phase, clock, events = engine.phase, engine.clock, engine.events
    emit = intake.emit_source
    inflow = intake.inflow
    busy = False
    count = 0
    try:
        while not phase.stopping:
            if busy:
                busy = False
                inflow.rest()
            if intake.full:
                await intake.room.wait()
            try:
                msg, ack = await node.read()
            except EndOfInput:
                raise
            except ConnectionError_ as exc:
                ctx.status("red", "ring", "disconnected")
                events.log_node(node_id, "warning", f"connection lost: {exc}; reconnecting", None)
                await clock.sleep(backoff.next())
                return True
            except Exception as exc:
                events.fail(node_id, None, None, exc)
                await clock.sleep(backoff.next())
                continue
            inflow.took()
            busy = True
            emit(node_id, msg, ack)
            count += 1
            if count % YIELD_EVERY == 0:
                await asyncio.sleep(0)
    finally:
        if busy:
            inflow.rest()
    return False


async def run_async_transform(
    engine: Engine, node: AsyncTransform, ctx: NodeContext, queue: NodeQueue, watched: bool
) -> None:
    """Feed ``node`` what its queue holds, one message at a time (``watched``: complete nodes
    watch it)."""
    node_id = node.id
    events = engine.events
    timing = engine.meter.timing(node_id)
    trace = ctx.trace
    while True:
        item = await queue.get()
        if item is None:
            return
        msg, d = item
        ctx.delivery = d
        span = trace.begin(msg) if trace is not None else None
        try:
            if timing is None:
                await node.receive(msg)
            else:
                start = perf_counter()
                await node.receive(msg)
                timing.observe(perf_counter() - start)
        except Exception as exc:
            if trace is not None:
                trace.done(span, msg, exc)
            events.fail(node_id, msg, d, exc)
        else:
            if trace is not None:
                trace.done(span, msg)
            if watched and id(msg) not in ctx.held:
                events.completed(node_id, msg, d)
        finally:
            ctx.delivery = None
            d.release()


async def run_sink(
    engine: Engine, node: Sink, ctx: NodeContext, queue: NodeQueue, stats: list[int],
    watched: bool,
) -> None:
    """Write what ``node``'s queue holds, in batches, retrying a batch while the server is away.
    What it wrote counts in ``stats[1]``, the node's messages out (``watched``: complete nodes
    watch it)."""
    clock = engine.clock
    backoff = Backoff()
    report = _reporter(ctx)
    up: bool | None = None  # not known until the first write
    prepares = type(node).prepare is not Sink.prepare
    ahead: asyncio.Task[Prepared | None] | None = None
    try:
        while True:
            taken = await _taken(ahead)
            ahead = None
            if taken is not None:
                batch, msgs = taken
            else:
                got = await queue.get_batch(node.batch_size, node.batch_interval, clock)
                if got is None:
                    return
                batch, msgs = got, [m for m, _ in got]
            if prepares:  # the next full batch is prepared while this one is written
                ahead = asyncio.ensure_future(_prepared(engine, node, queue))
            up = await _write(engine, node, ctx, batch, msgs, backoff, report, up, stats,
                              watched)
    finally:
        if ahead is not None:
            ahead.cancel()


async def _write(
    engine: Engine, node: Sink, ctx: NodeContext, batch: list[Item], msgs: list[Message],
    backoff: Backoff, report: Callable[[bool], None], up: bool | None, stats: list[int],
    watched: bool,
) -> bool | None:
    """Write one batch (``msgs``: its messages), again while the server is away, then finish
    its messages; returns whether the server is ``up`` now (None: not known until a write
    ends)."""
    node_id = node.id
    clock, events = engine.clock, engine.events
    write_time, sizes = engine.meter.sink(node_id)
    trace = ctx.trace
    sizes.observe(len(msgs))
    start = perf_counter()
    failure: BaseException | None = None
    ctx.writing = {id(m): d for m, d in batch}
    failed: set[int] = set()
    ctx.failed_in_batch = failed
    spans = [trace.begin(m) for m in msgs] if trace is not None else None
    while True:
        try:
            await node.write(msgs)
        except AuthFailed as exc:
            failure = exc
            ctx.status("red", "ring", "authentication failed")
            if up is not False:
                up = False
                report(False)
        except ConnectionError_ as exc:
            delay = backoff.next()
            ctx.status("red", "ring", "disconnected")
            if up is not False:
                up = False
                report(False)
            events.log_node(
                node_id,
                "warning",
                f"write failed: {exc}; holding {len(msgs)} message(s), retry in {delay:.1f} s",
                None,
            )
            await clock.sleep(delay)
            continue
        except Exception as exc:
            failure = exc
        else:
            if backoff.attempt:
                ctx.status("green", "dot", "connected")
                held = f"reconnected; wrote the {len(msgs)} message(s) held meanwhile"
                events.log_node(node_id, "info", held, None)
            backoff.reset()
            if up is not True:
                up = True
                report(True)
        break
    write_time.observe(perf_counter() - start)
    if trace is not None and spans is not None:
        for msg, span in zip(msgs, spans, strict=True):
            trace.done(span, msg, failure)
    ctx.writing = None
    for msg, d in batch:
        if id(msg) in failed:
            pass  # the sink failed this one message with ctx.error: the rest are written
        elif failure is not None:
            events.fail(node_id, msg, d, failure)
        else:
            stats[1] += 1  # a sink's messages out: those it wrote
            if watched:
                events.completed(node_id, msg, d)
        d.release()
    return up


Prepared = tuple[list["Item"], list[Message]]
"""A batch taken ahead, and the list of its messages handed to ``prepare`` (and to ``write``)."""


async def _prepared(engine: Engine, node: Sink, queue: NodeQueue) -> Prepared | None:
    """The next batch once it is full, handed to ``node.prepare`` while the previous one is
    written (:meth:`flowrt.api.Sink.prepare`); None when the queue closes first."""
    batch = await queue.take_full(node.batch_size)
    if batch is None:
        return None
    msgs = [m for m, _ in batch]
    try:
        node.prepare(msgs)
    except Exception as exc:
        engine.events.log_node(node.id, "error", f"preparing a batch failed: {exc!r}", None)
    return batch, msgs


async def _taken(ahead: asyncio.Task[Prepared | None] | None) -> Prepared | None:
    """The batch ``ahead`` took, if it took one by now; else it stops waiting (None: the next
    batch is made as any other)."""
    if ahead is None:
        return None
    if not ahead.done():
        ahead.cancel()
        await asyncio.wait([ahead])
    return None if ahead.cancelled() else ahead.result()
