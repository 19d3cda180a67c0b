"""Flows with http-in nodes served for real: the engine on real time, uvicorn on a free port of
127.0.0.1, and an httpx client pointed at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import httpx

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.registry import Registry
from flowrt.registry.discover import walk_pack
from flowrt.registry.spec import spec_for
from flowrt.run.http import HttpServer
from flowrt.testing import Harness

T = TypeVar("T")


def registry() -> Registry:
    """The core and http packs only: the tests do not depend on other packs importing."""
    return Registry(
        spec_for(cls, pack) for pack in ("core", "http") for cls in walk_pack(f"nodes.{pack}")
    )


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@asynccontextmanager
async def served(
    flow: str, env: dict[str, str] | None = None
) -> AsyncIterator[tuple[Harness, httpx.AsyncClient]]:
    """The flow running (real time) with its http-in routes served; a client for them."""
    plan, _ = build_plan(Project(documents=[load_text(flow, "test.yaml")]), registry(),
                         env=dict(env or {}))
    harness = Harness(plan, env=env, virtual_time=False, timeout=30.0)
    await harness.start()
    server = HttpServer(harness.runtime.http, "127.0.0.1", 0)
    await server.start()
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{server.port}", timeout=30.0, trust_env=False
        ) as client:
            yield harness, client
    finally:
        await harness.stop()
        await server.stop()


@asynccontextmanager
async def app_server(app: Any) -> AsyncIterator[str]:
    """Any ASGI app served on a free port; yields its base url."""
    server = HttpServer(app, "127.0.0.1", 0)
    await server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        await server.stop()
