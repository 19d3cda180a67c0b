"""The watchdog that interrupts synchronous script code running longer than its timeout.

A synchronous script runs on the event loop's thread, so while it loops nothing else in the
runtime moves, timers included: only another thread can notice. One daemon thread,
:data:`WATCHDOG`, looks at the guards of running nodes (a :class:`Guard` each) every fifth of
the shortest timeout; when a guard shows the same call for longer than its timeout, it logs the
fact at once, with the node id, on the ``flowrt.script`` logger (the loop is stuck, so the
engine's log cannot carry it yet), and raises :class:`ScriptTimeout` inside the loop thread
with ``PyThreadState_SetAsyncExc``. The node turns that into a :class:`~flowrt.api.ScriptError`
naming the line it stopped at.

A call of a synchronous body costs nothing per message: the watchdog finds it on the loop
thread's stack (``sys._current_frames``), as a frame of the body's code (``Guard.code``), and
keeps that frame object from one look to the next, so the same object seen again is the same
call (no later call can be given it). A call inside a call of the same node (its
``node.send`` reached the node again, through a wire back to it) is the innermost frame. The
other code of a node (setup and close, each step of an asynchronous body, whose frame stays
the same across its awaits) counts its calls: ``ticks`` as one starts, ``done`` as one ends;
one is running while they differ, and the same ``ticks`` at two looks means no call started in
between, so one call ran all along.

Limits: an asynchronous exception is only raised when the thread runs Python code again, so a
script blocked inside one C call (``time.sleep(60)``, a socket read without a timeout) is
reported at once but only stopped when that call returns. A call that ends in the instant between
the watchdog's last check and the raise could see the exception land just after it; the check is
made twice to keep that window to a few bytecodes.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import threading
import time
import weakref
from collections.abc import Coroutine, Generator
from types import CodeType, FrameType
from typing import Any

log = logging.getLogger("flowrt.script")


class ScriptTimeout(BaseException):
    """Raised inside a script the watchdog stops. A BaseException, so that a script's own
    ``except Exception`` does not swallow it."""


class Guard:
    """One script node's running marker, read by the watchdog thread."""

    __slots__ = (
        "ticks",
        "done",
        "code",
        "timeout",
        "node_id",
        "thread_id",
        "_seen",
        "_since",
        "_fired",
        "__weakref__",
    )

    def __init__(self, node_id: str, timeout: float) -> None:
        self.ticks = 0
        """The counted calls started; bumped by the loop thread only, as one starts."""
        self.done = 0
        """The counted calls ended; bumped by the loop thread only, as one ends."""
        self.code: CodeType | None = None
        """The synchronous body's code: its calls are the frames of it on the loop's stack."""
        self.timeout = timeout
        self.node_id = node_id
        self.thread_id = threading.get_ident()
        self._seen: Any = None
        """The call seen running at the last look (``ticks``, or the body's frame), or None."""
        self._since = 0.0
        self._fired: Any = None

    def check(self, now: float, frame: FrameType | None = None) -> None:
        """Called by the watchdog thread with the innermost frame of the body's code on the
        loop thread's stack (None: none): interrupt the call if it has run too long."""
        done = self.done  # first: it is never more than ticks read after it
        ticks = self.ticks
        if done != ticks:
            if self._over(now, ticks) and self.done != ticks and self.ticks == ticks:
                _raise_in(self.thread_id)
        elif frame is None:
            self._seen = None  # nothing running: no frame kept
        elif self._over(now, frame) and _on_stack(self.thread_id, frame):
            _raise_in(self.thread_id)

    def _over(self, now: float, call: Any) -> bool:
        """Whether ``call``, running now, has run longer than the timeout (logged once)."""
        if call != self._seen:  # a frame compares as itself, a count by its value
            self._seen, self._since = call, now
            return False
        running = now - self._since
        if running < self.timeout:
            return False
        if self._fired is not call and self._fired != call:
            self._fired = call
            log.error(
                "node '%s': script has run for %.1f s, longer than its timeout of %g s; "
                "stopping it",
                self.node_id,
                running,
                self.timeout,
            )
        self._since = now  # if the script survives (blocked in C), try again a timeout later
        return True


def _on_stack(thread_id: int, frame: FrameType) -> bool:
    """Whether ``frame`` is on the stack of the thread ``thread_id`` now."""
    at = sys._current_frames().get(thread_id)
    while at is not None:
        if at is frame:
            return True
        at = at.f_back
    return False


def innermost(guards: list[Guard]) -> dict[Guard, FrameType]:
    """Each guard whose body's code is on its thread's stack now -> the innermost frame of it."""
    codes = {id(g.code): g for g in guards if g.code is not None}
    if not codes:
        return {}
    found: dict[Guard, FrameType] = {}
    tops = sys._current_frames()
    for thread_id in {g.thread_id for g in codes.values()}:
        at = tops.get(thread_id)
        while at is not None:
            guard = codes.get(id(at.f_code))
            if guard is not None and guard not in found and guard.thread_id == thread_id:
                found[guard] = at
            at = at.f_back
    return found


class Guarded:
    """Awaits a script's coroutine with its guard marked running during each step, so the
    watchdog also sees an asynchronous script that stops awaiting and loops."""

    __slots__ = ("_coro", "_guard")

    def __init__(self, coro: Coroutine[Any, Any, Any], guard: Guard) -> None:
        self._coro = coro
        self._guard = guard

    def __await__(self) -> Generator[Any, Any, Any]:
        coro, guard = self._coro, self._guard
        value: Any = None
        error: BaseException | None = None
        while True:
            guard.ticks += 1
            try:
                step = coro.send(value) if error is None else coro.throw(error)
            except StopIteration as stop:
                guard.done += 1
                return stop.value
            except BaseException:
                guard.done += 1
                raise
            guard.done += 1
            try:
                value, error = (yield step), None
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:
                value, error = None, exc


def _raise_in(thread_id: int) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(ScriptTimeout)
    )


class Watchdog:
    """A daemon thread polling the guards it watches; it exits when it watches none."""

    def __init__(self) -> None:
        self._guards: weakref.WeakSet[Guard] = weakref.WeakSet()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._interval = 0.25

    def watch(self, guard: Guard) -> None:
        """Watch ``guard``, whose node's code runs on the calling thread (the event loop's)."""
        guard.thread_id = threading.get_ident()
        with self._lock:
            self._guards.add(guard)
            self._interval = min(0.25, max(0.005, min(g.timeout for g in self._guards) / 5))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="flowrt-script-watchdog", daemon=True
                )
                self._thread.start()

    def unwatch(self, guard: Guard) -> None:
        with self._lock:
            self._guards.discard(guard)

    def _run(self) -> None:
        while True:
            with self._lock:
                guards = list(self._guards)
                if not guards:
                    self._thread = None
                    return
                interval = self._interval
            now = time.monotonic()
            frames = innermost(guards)
            for guard in guards:
                guard.check(now, frames.get(guard))
            del guards, frames
            time.sleep(interval)


WATCHDOG = Watchdog()
