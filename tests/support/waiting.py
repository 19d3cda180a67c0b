"""Waiting for a condition, in a plain test (:func:`wait_until`) or on an event loop
(:func:`eventually`).

Machines here are shared and slow: the timeouts are generous, and a failure names what was
awaited.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")


def wait_until(
    probe: Callable[[], T],
    what: str = "the condition",
    timeout: float = 60.0,
    interval: float = 0.05,
) -> T:
    """Call ``probe`` until it returns something true, and return that; fail naming ``what``
    (and the last thing ``probe`` returned) after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(_gave_up(what, timeout, value))
        time.sleep(interval)


async def eventually(
    probe: Callable[[], Awaitable[Any] | Any],
    what: str = "the condition",
    timeout: float = 60.0,
    interval: float = 0.05,
) -> Any:
    """Call ``probe`` (a function, or a coroutine function) until it gives something true, and
    return that; fail naming ``what`` after ``timeout`` seconds. The event loop runs between
    calls."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = probe()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(_gave_up(what, timeout, value))
        await asyncio.sleep(interval)


def _gave_up(what: str, timeout: float, last: Any) -> str:
    return f"gave up after {timeout:g} s waiting for {what} (last: {last!r})"
