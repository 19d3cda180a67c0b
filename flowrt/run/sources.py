"""How a runtime reads each source: on every worker, or on one worker of its group; through a
journal or not (:mod:`flowrt.run.journal`); its acknowledgement window; the ways its server may
lose messages; and what a group member reports about its sources."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from flowrt.api import Source
from flowrt.run.journal_file import journal_path, settings
from flowrt.run.workers import run_source

if TYPE_CHECKING:
    from flowrt.run.context import NodeContext
    from flowrt.run.runtime import Runtime


def reading(rt: Runtime, node: Source, ctx: NodeContext) -> Coroutine[Any, Any, None]:
    """The loop that reads ``node``: held by one worker of the group when the source must run
    once there, else read here; through its journal when it has one. Registers the source's
    acknowledgement window (a journaled source's flow is not held to it), and warns of the ways
    its server may lose messages."""
    pn = rt.plan.nodes[node.id]
    path = None
    if pn.journal:
        path = journal_path(pn.file, pn.flow, node.id)
        if path is None:
            rt.log_node(node.id, "warning", "no state directory to keep a journal in (the "
                        "flow was not read from a file): reading without one, so messages "
                        "wait at the server while the flow is behind, where it may drop "
                        "them; give --state-dir", None)
    for risk in node.risks(pn.guarantee, pn.journal):
        rt.log_node(node.id, "warning", risk, None)
    window = node.window()
    if window is not None and path is None:
        rt.windows.add(node.id, *window)

    def read(runtime: Any) -> Coroutine[Any, Any, None]:
        if rt.group is not None and node.once_in_group(node.config):
            from flowrt.run.singleton import run_singleton

            return run_singleton(runtime, rt.group, node, ctx)
        return run_source(runtime, node, ctx)

    if path is None:
        return read(rt)
    from flowrt.run.journal import Journal
    from flowrt.run.journal_intake import run_journaled

    return run_journaled(rt, node, ctx, Journal(rt, node.id, path, settings()), read)


def singletons(rt: Runtime) -> list[str]:
    """The runtime's sources that, in a group, run on one worker at a time."""
    return [n for n, node in rt.nodes.items() if isinstance(node, Source)
            and type(node).read is not Source.read and node.once_in_group(node.config)]


def messages_read(rt: Runtime) -> int:
    """Messages the runtime's sources read (a group member's message count)."""
    return sum(rt.stats[n][1] for n, node in rt.nodes.items() if isinstance(node, Source))
