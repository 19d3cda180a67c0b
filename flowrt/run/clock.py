"""The engine's clock: real time, or simulated time for flow tests.

Nodes reach time only through their context (``now``, ``sleep``, ``call_later``), which goes
through a Clock. :class:`VirtualClock` keeps its own timer heap; the test driver advances it to
the next timer whenever the event loop has nothing else to run, so a ten-minute delay takes no
real time and never flakes.

Both clocks count the ``call_later`` timers that are still pending, so the runtime knows when a
flow is idle.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from typing import Protocol

from flowrt.protocols import Timer

log = logging.getLogger("flowrt.run")


class Clock(Protocol):
    pending: int
    on_idle: Callable[[], None]

    def now(self) -> float: ...
    async def sleep(self, seconds: float) -> None: ...
    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer: ...


class _RealTimer:
    __slots__ = ("handle", "clock", "live")

    def __init__(self, clock: RealClock) -> None:
        self.clock = clock
        self.live = True
        self.handle: asyncio.TimerHandle | None = None

    def cancel(self) -> None:
        if self.live:
            self.live = False
            if self.handle is not None:
                self.handle.cancel()
            self.clock._settled()


class RealClock:
    def __init__(self) -> None:
        self.pending = 0
        self.on_idle: Callable[[], None] = lambda: None

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        timer = _RealTimer(self)

        def fire() -> None:
            if timer.live:
                timer.live = False
                try:
                    callback()
                finally:
                    self._settled()

        self.pending += 1
        timer.handle = asyncio.get_running_loop().call_later(max(0.0, seconds), fire)
        return timer

    def _settled(self) -> None:
        self.pending -= 1
        if self.pending == 0:
            self.on_idle()


class _VirtualTimer:
    __slots__ = ("when", "callback", "live", "counted", "clock")

    def __init__(
        self, clock: VirtualClock, when: float, callback: Callable[[], None], counted: bool
    ) -> None:
        self.clock = clock
        self.when = when
        self.callback = callback
        self.live = True
        self.counted = counted

    def cancel(self) -> None:
        if self.live:
            self.live = False
            self.clock._settled(self)


class VirtualClock:
    """Simulated time: starts at ``start`` (epoch seconds) and moves only when advanced."""

    def __init__(self, start: float = 1_767_225_600.0) -> None:
        self._now = start
        self.start = start
        self.pending = 0
        self.on_idle: Callable[[], None] = lambda: None
        self.sleepers = 0
        """Tasks asleep on this clock right now."""
        self._heap: list[tuple[float, int, _VirtualTimer]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    def _schedule(self, seconds: float, callback: Callable[[], None], counted: bool) -> Timer:
        timer = _VirtualTimer(self, self._now + max(0.0, seconds), callback, counted)
        if counted:
            self.pending += 1
        heapq.heappush(self._heap, (timer.when, next(self._seq), timer))
        return timer

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        return self._schedule(seconds, callback, True)

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not future.done():
                future.set_result(None)

        timer = self._schedule(seconds, wake, False)
        self.sleepers += 1
        try:
            await future
        finally:
            self.sleepers -= 1
            timer.cancel()

    def next_deadline(self) -> float | None:
        while self._heap and not self._heap[0][2].live:
            heapq.heappop(self._heap)
        return self._heap[0][0] if self._heap else None

    def advance(self) -> bool:
        """Move to the next timer and run it (and every other timer due then)."""
        deadline = self.next_deadline()
        if deadline is None:
            return False
        self._now = max(self._now, deadline)
        while self._heap and self._heap[0][0] <= self._now:
            timer = heapq.heappop(self._heap)[2]
            if not timer.live:
                continue
            timer.live = False
            try:
                timer.callback()
            except Exception:
                log.exception("timer callback failed")
            finally:
                self._settled(timer)
        return True

    def advance_to(self, when: float) -> None:
        """Run every timer due by ``when``, then stand at ``when``."""
        while (deadline := self.next_deadline()) is not None and deadline <= when:
            self.advance()
        self._now = max(self._now, when)

    def _settled(self, timer: _VirtualTimer) -> None:
        if timer.counted:
            self.pending -= 1
            if self.pending == 0:
                self.on_idle()
