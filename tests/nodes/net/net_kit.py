"""Flows with net nodes run for real (the engine on real time), and the sockets the tests
talk to them with, all on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.registry import Registry
from flowrt.registry.discover import walk_pack
from flowrt.registry.spec import spec_for
from flowrt.testing import Harness
from tests.support.waiting import eventually


def registry() -> Registry:
    """The core and net packs only."""
    return Registry(spec_for(cls, pack) for pack in ("core", "net")
                    for cls in walk_pack(f"flowrt_nodes.{pack}"))


@asynccontextmanager
async def running(flow: str, env: dict[str, str] | None = None) -> AsyncIterator[Harness]:
    """The flow running on real time until the block ends."""
    plan, _ = build_plan(Project(documents=[load_text(flow, "test.yaml")]), registry(),
                         env=dict(env or {}))
    harness = Harness(plan, env=env, virtual_time=False, timeout=30.0)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def sent(harness: Harness, node: str, count: int) -> list[Any]:
    """The payloads ``node`` sent, once it has sent ``count``."""
    return list(await eventually(
        lambda: (p := harness.result.payloads(node)) and len(p) >= count and p,
        f"{count} message(s) from {node}", timeout=30.0))


async def until(probe: Callable[[], Any], what: str) -> Any:
    return await eventually(probe, what, timeout=30.0)


async def connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A client connection to 127.0.0.1:port, retried while the node is not listening yet."""
    async def attempt() -> Any:
        try:
            return await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            return None
    return tuple(await until(attempt, f"a connection to port {port}"))  # type: ignore[return-value]
