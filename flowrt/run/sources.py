"""How a runtime reads each source: on every worker, or on one worker of its group; its
acknowledgement window; and what a group member reports about its sources."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from flowrt.api import Source
from flowrt.run.workers import run_source

if TYPE_CHECKING:
    from flowrt.run.context import NodeContext
    from flowrt.run.runtime import Runtime


def reading(rt: Runtime, node: Source, ctx: NodeContext) -> Coroutine[Any, Any, None]:
    """The loop that reads ``node``: held by one worker of the group when the source must run
    once there, else read here. Registers the source's acknowledgement window."""
    window = node.window()
    if window is not None:
        rt.windows.add(node.id, *window)
    if rt.group is not None and node.once_in_group(node.config):
        from flowrt.run.singleton import run_singleton

        return run_singleton(rt, rt.group, node, ctx)
    return run_source(rt, node, ctx)


def singletons(rt: Runtime) -> list[str]:
    """The runtime's sources that, in a group, run on one worker at a time."""
    return [n for n, node in rt.nodes.items() if isinstance(node, Source)
            and type(node).read is not Source.read and node.once_in_group(node.config)]


def messages_read(rt: Runtime) -> int:
    """Messages the runtime's sources read (a group member's message count)."""
    return sum(rt.stats[n][1] for n, node in rt.nodes.items() if isinstance(node, Source))
