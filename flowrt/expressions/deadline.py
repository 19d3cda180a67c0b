"""Time limits on evaluating what a flow author wrote: templates and JSONata expressions.

Nodes evaluate templates and expressions synchronously, on the event loop's thread: while one
runs, nothing else in the runtime moves, timers included, so only another thread can notice
that it runs too long. :func:`within` marks the calling thread as evaluating until a deadline;
one daemon thread (started on first use, gone after a few idle seconds) polls the marks and,
past a deadline, raises :class:`Overtime` inside the evaluating thread with CPython's
``PyThreadState_SetAsyncExc``. ``within`` turns that into a :class:`TimeLimitExceeded`, a
:class:`~flowrt.errors.NodeError`: the message fails, catch nodes see it, the flow goes on.

The exception is only ever raised while the mark is up, and ``within`` takes the mark down
under the same lock the watchdog fires under, clearing an exception that is still pending, so
it cannot land in the event loop after the evaluation ended. It is a ``BaseException``, so no
``except Exception`` in a library on the way swallows it.

Limits: an asynchronous exception is raised only when the thread runs Python bytecode again,
so one long call into C (a huge allocation, a regular expression) is not interrupted; the
callers bound those themselves (sizes, :mod:`flowrt.expressions.bounded_regex`). The deadline is
polled,
so an evaluation is stopped up to a twentieth of a second after it.
"""

from __future__ import annotations

import ctypes
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from flowrt.errors import NodeError

T = TypeVar("T")

EVALUATION_SECONDS = 1.0
"""How long one evaluation of a template or an expression may run."""

_POLL = 0.05
_IDLE_POLLS = 100


class Overtime(BaseException):
    """Raised inside an evaluation past its deadline; :func:`within` catches it."""


class TimeLimitExceeded(NodeError):
    """An evaluation ran past its time limit and was stopped."""


class _Mark:
    __slots__ = ("deadline", "fired")

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.fired = False


_lock = threading.Lock()
_marks: dict[int, _Mark] = {}
_watchdog: threading.Thread | None = None


def within(seconds: float, what: str, run: Callable[[], T]) -> T:
    """``run()``, stopped with :class:`TimeLimitExceeded` (naming ``what``) if it takes longer
    than ``seconds``. Nested calls on one thread run under the outer deadline."""
    thread = threading.get_ident()
    if thread in _marks:  # only this thread adds or removes its own mark
        return run()
    mark = _Mark(time.monotonic() + seconds)
    with _lock:
        _marks[thread] = mark
        _start_watchdog()
    try:
        try:
            return run()
        finally:
            _take_down(thread, mark)
    except Overtime as overtime:
        _take_down(thread, mark)  # when the exception landed before the first take-down did
        cause = overtime.__context__
        while cause is not None:  # it landed while a clearer error was on its way out
            if isinstance(cause, NodeError):
                raise cause from None
            cause = cause.__context__
    raise TimeLimitExceeded(
        f"{what} ran longer than {seconds:g} s, the time limit of one evaluation, and was "
        "stopped; make it do less work per message"
    )


def _take_down(thread: int, mark: _Mark) -> None:
    with _lock:
        if _marks.get(thread) is mark:
            del _marks[thread]
            if mark.fired:  # clear it if still pending; a no-op when it was raised already
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), None)


def _start_watchdog() -> None:
    global _watchdog
    if _watchdog is None:
        _watchdog = threading.Thread(target=_watch, name="flowrt-deadline", daemon=True)
        _watchdog.start()


def _watch() -> None:
    global _watchdog
    idle = 0
    while True:
        time.sleep(_POLL)
        now = time.monotonic()
        with _lock:
            if not _marks:
                idle += 1
                if idle >= _IDLE_POLLS:
                    _watchdog = None
                    return
                continue
            idle = 0
            for thread, mark in _marks.items():
                if not mark.fired and now > mark.deadline:
                    mark.fired = True
                    ctypes.pythonapi.PyThreadState_SetAsyncExc(
                        ctypes.c_ulong(thread), ctypes.py_object(Overtime)
                    )
