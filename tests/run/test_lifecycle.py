"""A runtime's lifecycle: the close hooks (a source's journal declares one) run at the very end of
a stop, after the nodes stopped and the connections closed, each bounded, and a stop runs once."""

from __future__ import annotations

import asyncio
import logging

import pytest

from flowrt.api import Connection, Message, NodeConfig, Output, Transform
from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.registry import Registry, default_registry
from flowrt.registry.spec import spec_for
from flowrt.run import Runtime

ORDER: list[str] = []


class Closing(Connection):
    """A connection that records when it closes."""

    type = "closing"
    Config = NodeConfig

    async def close(self) -> None:
        ORDER.append(f"connection {self.id}")


class Stopping(Transform):
    """A transform that records when it stops."""

    type = "stopping"
    Config = NodeConfig

    def process(self, msg: Message) -> Output:
        return msg

    async def stop(self) -> None:
        ORDER.append(f"node {self.id}")


TEXT = "flowrt: 1\nconnections:\n  conn: {type: closing}\nnodes:\n  node: {type: stopping}\n"


def runtime() -> Runtime:
    specs = [spec_for(cls, __name__) for cls in (Closing, Stopping)]
    registry = Registry([*default_registry(), *specs])
    plan, _ = build_plan(Project(documents=[load_text(TEXT, "test.yaml")]), registry, env={})
    return Runtime(plan, env={})


def test_close_hooks_run_last_in_the_order_declared_and_once() -> None:
    ORDER.clear()

    async def scenario() -> None:
        rt = runtime()
        await rt.start()

        async def hook(name: str) -> None:
            ORDER.append(f"hook {name}")

        rt.lifecycle.on_close("first", lambda: hook("first"))
        rt.lifecycle.on_close("second", lambda: hook("second"))
        await rt.stop(timeout=1)
        await rt.stop(timeout=1)  # a second stop does nothing
        assert rt.stopping and rt.releasing

    asyncio.run(scenario())
    assert ORDER == ["node node", "connection conn", "hook first", "hook second"]


def test_a_failing_close_hook_is_logged_and_the_others_still_run(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ORDER.clear()
    caplog.set_level(logging.WARNING, "flowrt.run")

    async def scenario() -> None:
        rt = runtime()
        await rt.start()

        async def broken() -> None:
            raise OSError("disk gone")

        async def fine() -> None:
            ORDER.append("hook fine")

        rt.lifecycle.on_close("broken", broken)
        rt.lifecycle.on_close("fine", fine)
        await rt.stop(timeout=1)

    asyncio.run(scenario())
    assert ORDER[-1] == "hook fine"
    assert "broken failed while closing: OSError('disk gone')" in caplog.text
