"""Flows with websocket nodes run for real: the engine on real time, its routes served by
uvicorn on a free port of 127.0.0.1 (as ``flowrt run --http`` serves them)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.registry import Registry
from flowrt.registry.discover import walk_pack
from flowrt.registry.spec import spec_for
from flowrt.run.http import HttpServer
from flowrt.testing import Harness

T = TypeVar("T")


def registry() -> Registry:
    """The core, function and websocket packs only."""
    return Registry(
        spec_for(cls, pack) for pack in ("core", "function", "websocket")
        for cls in walk_pack(f"nodes.{pack}")
    )


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@asynccontextmanager
async def served(flow: str, env: dict[str, str] | None = None, port: int = 0) -> AsyncIterator[
        tuple[Harness, str]]:
    """The flow running with its routes served; yields the harness and ``ws://127.0.0.1:PORT``."""
    plan, _ = build_plan(Project(documents=[load_text(flow, "test.yaml")]), registry(),
                         env=dict(env or {}))
    harness = Harness(plan, env=env, virtual_time=False, timeout=60.0)
    await harness.start()
    server = HttpServer(harness.runtime.http, "127.0.0.1", port)
    await server.start()
    try:
        yield harness, f"ws://127.0.0.1:{server.port}"
    finally:
        await harness.stop()
        await server.stop()
