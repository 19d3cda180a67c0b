"""The engine's loops: reading sources, feeding asynchronous transforms, writing sinks.

Reconnection lives here, once, for every node: a source whose ``connect`` or ``read`` raises
NotConnected or ConnectionLost, or a sink whose ``write`` does, is retried with exponential
back-off (0.1 s doubling to 30 s, with jitter), its status showing it; the batch a sink was
writing is kept and written again, so nothing is dropped. AuthFailed is not retried: the node
stops with a red status and an error naming it.
"""

from __future__ import annotations

import asyncio
import random
from typing import TYPE_CHECKING

from flowrt.api import AsyncTransform, Sink, Source
from flowrt.errors import AuthFailed, ConfigError, ConnectionError_, EndOfInput

if TYPE_CHECKING:
    from flowrt.run.context import NodeContext
    from flowrt.run.runtime import Runtime

YIELD_EVERY = 64
"""A source that never awaits (its data is at hand) yields to the loop this often."""


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


async def run_source(rt: Runtime, node: Source, ctx: NodeContext) -> None:
    backoff = Backoff()
    node_id = node.id
    down = False
    while not rt.stopping:
        try:
            await node.connect()
        except AuthFailed as exc:
            ctx.status("red", "ring", "authentication failed")
            rt.log_node(node_id, "error", f"cannot connect: {exc}; check the credentials", None)
            return
        except ConfigError as exc:
            ctx.status("red", "ring", "configuration problem")
            rt.log_node(node_id, "error", f"cannot start reading: {exc}", None)
            return
        except Exception as exc:
            # a server away (ConnectionError_) is expected; anything else is logged as an error
            expected = isinstance(exc, ConnectionError_)
            delay = backoff.next()
            ctx.status("red", "ring", "disconnected" if expected else "error")
            rt.log_node(node_id, "warning" if expected else "error",
                        f"cannot connect: {exc if expected else repr(exc)}; "
                        f"retry in {delay:.1f} s", None)
            down = True
            await rt.clock.sleep(delay)
            continue
        if down:
            ctx.status("green", "dot", "connected")
            rt.log_node(node_id, "info", "reconnected", None)
        backoff.reset()
        try:
            down = await _read(rt, node, ctx, backoff)
        except EndOfInput:
            return


async def _read(rt: Runtime, node: Source, ctx: NodeContext, backoff: Backoff) -> bool:
    """Read ``node`` until the runtime stops (False), its connection is lost (True) or it ends
    (raises EndOfInput). The source counts as busy (:mod:`flowrt.run.inflow`) from each message
    it reads until it asks for the next one."""
    node_id = node.id
    emit = rt.emit_source
    inflow = rt.inflow
    busy = False
    count = 0
    try:
        while not rt.stopping:
            if busy:
                busy = False
                inflow.rest()
            if rt.full:
                await rt.room.wait()
            try:
                msg, ack = await node.read()
            except EndOfInput:
                raise
            except ConnectionError_ as exc:
                ctx.status("red", "ring", "disconnected")
                rt.log_node(node_id, "warning", f"connection lost: {exc}; reconnecting", None)
                await rt.clock.sleep(backoff.next())
                return True
            except Exception as exc:
                rt.fail(node_id, None, None, exc)
                await rt.clock.sleep(backoff.next())
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


async def run_async_transform(rt: Runtime, node: AsyncTransform, ctx: NodeContext) -> None:
    queue = rt.queues[node.id]
    node_id = node.id
    watched = node_id in rt.watched_complete
    while True:
        item = await queue.get()
        if item is None:
            return
        msg, d = item
        ctx.delivery = d
        try:
            await node.receive(msg)
        except Exception as exc:
            rt.fail(node_id, msg, d, exc)
        else:
            if watched and id(msg) not in ctx.held:
                rt.completed(node_id, msg, d)
        finally:
            ctx.delivery = None
            d.release()


async def run_sink(rt: Runtime, node: Sink, ctx: NodeContext) -> None:
    queue = rt.queues[node.id]
    node_id = node.id
    watched = node_id in rt.watched_complete
    stats = rt.stats[node_id]
    backoff = Backoff()
    while True:
        batch = await queue.get_batch(node.batch_size, node.batch_interval, rt.clock)
        if batch is None:
            return
        msgs = [m for m, _ in batch]
        failure: BaseException | None = None
        ctx.writing = {id(m): d for m, d in batch}
        failed: set[int] = set()
        ctx.failed_in_batch = failed
        while True:
            try:
                await node.write(msgs)
            except AuthFailed as exc:
                failure = exc
                ctx.status("red", "ring", "authentication failed")
            except ConnectionError_ as exc:
                delay = backoff.next()
                ctx.status("red", "ring", "disconnected")
                rt.log_node(
                    node_id,
                    "warning",
                    f"write failed: {exc}; holding {len(msgs)} message(s), retry in {delay:.1f} s",
                    None,
                )
                await rt.clock.sleep(delay)
                continue
            except Exception as exc:
                failure = exc
            else:
                if backoff.attempt:
                    ctx.status("green", "dot", "connected")
                    held = f"reconnected; wrote the {len(msgs)} message(s) held meanwhile"
                    rt.log_node(node_id, "info", held, None)
                backoff.reset()
            break
        ctx.writing = None
        for msg, d in batch:
            if id(msg) in failed:
                pass  # the sink failed this one message with ctx.error: the rest are written
            elif failure is not None:
                rt.fail(node_id, msg, d, failure)
            else:
                stats[1] += 1  # a sink's messages out: those it wrote
                if watched:
                    rt.completed(node_id, msg, d)
            d.release()
