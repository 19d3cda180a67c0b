"""Driving a runtime on simulated time: let everything runnable run, then jump the clock.

The event loop is settled (its ready queue emptied) before each jump, so the clock only moves
when every task waits on it. A task waiting on something else (a thread, a socket) holds the
clock still until it is done or the real-time limit passes.
"""

from __future__ import annotations

import asyncio
from typing import Any

from flowrt.message import clone
from flowrt.run import RealClock, Runtime, VirtualClock
from flowrt.types import Message


async def start(rt: Runtime, clock: VirtualClock | RealClock, real_deadline: float) -> None:
    """Start the runtime; on simulated time, move the clock for a start that sleeps."""
    loop = asyncio.get_running_loop()
    starting = loop.create_task(rt.start())
    while not starting.done():
        await settle(loop)
        if starting.done():
            break
        if isinstance(clock, VirtualClock) and clock.next_deadline() is not None:
            clock.advance()
        elif loop.time() > real_deadline:
            starting.cancel()
            raise TimeoutError("the flow did not finish starting before the timeout")
        else:
            await asyncio.sleep(0.002)
    await starting


def injector(rt: Runtime, targets: list[str], msg: Message) -> Any:
    def inject() -> None:
        for target in targets:  # a copy each: the caller's dict stays as it was
            rt.inject(target, clone(msg))

    return inject


async def settle(loop: asyncio.AbstractEventLoop) -> None:
    """Let everything that can run now run (the loop's ready queue empties)."""
    ready = getattr(loop, "_ready", None)
    for _ in range(10_000):
        await asyncio.sleep(0)
        if ready is not None and not ready:
            await asyncio.sleep(0)
            if not ready:
                return
        elif ready is None:
            return


async def drive(
    rt: Runtime, clock: VirtualClock, until: float | None, real_deadline: float
) -> None:
    loop = asyncio.get_running_loop()
    end = clock.start + until if until is not None else None
    while True:
        await settle(loop)
        if end is None and rt.is_idle():
            return
        if real_work(rt, clock):
            if loop.time() > real_deadline:
                raise TimeoutError("the flow kept waiting on real I/O past the timeout")
            await asyncio.sleep(0.002)
            continue
        deadline = clock.next_deadline()
        if deadline is not None and (end is None or deadline <= end):
            if end is None and loop.time() > real_deadline:
                raise TimeoutError(
                    "the flow did not go idle: a timer keeps firing (a repeating source?); "
                    "give `until` (simulated seconds) to run it for a while"
                )
            clock.advance()
        elif end is not None:
            clock.advance_to(end)
            await settle(loop)
            return
        elif loop.time() > real_deadline:
            raise TimeoutError(
                f"the flow did not go idle: {rt.inflight} message(s) in flight, no timer "
                "pending; a node holds a message it never finishes"
            )
        else:
            await asyncio.sleep(0.002)


def real_work(rt: Runtime, clock: VirtualClock) -> bool:
    """True when some task waits on something other than the simulated clock (a thread, I/O)."""
    busy = sum(1 for q in rt.queues.values() if q.busy) + rt.spawned_count
    return busy > clock.sleepers + rt.flow.waiting_room
