"""Helpers of the conformance suite: running a flow on the real clock, waiting, statuses."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.testing import Harness


def flow_text(backend: Any, url: str, key: str, nodes: dict[str, Any]) -> str:
    return json.dumps(
        {"flowrt": 1, "connections": {"server": backend.connection(url, key)}, "nodes": nodes}
    )


@asynccontextmanager
async def running(text: str, env: dict[str, str], timeout: float = 120.0) -> AsyncIterator[Harness]:
    """The flow ``text`` running on the engine with the real clock; stopped gracefully after."""
    plan, _ = build_plan(Project(documents=[load_text(text, "conformance.yaml")]), env=env)
    harness = Harness(plan, env=env, virtual_time=False, timeout=timeout)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def eventually(
    probe: Callable[[], Awaitable[bool] | bool], what: str, timeout: float = 60.0
) -> None:
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


def statuses(harness: Harness, node: str) -> list[dict[str, Any]]:
    return [status for who, status in harness.result.statuses if who == node]


def connected(harness: Harness, node: str) -> bool:
    seen = statuses(harness, node)
    return bool(seen) and seen[-1].get("fill") == "green"


def error_logs(harness: Harness) -> list[tuple[str, str, str]]:
    return [entry for entry in harness.result.logs if entry[1] == "error"]
