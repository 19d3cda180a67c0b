"""Helpers of the group tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest


async def eventually(probe: Callable[[], bool | Awaitable[bool]], what: str,
                     timeout: float = 30.0) -> None:
    """Wait until ``probe()`` is true; fail naming ``what`` after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = probe()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            pytest.fail(f"gave up after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)
