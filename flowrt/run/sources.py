"""How a runtime reads each source: on every worker, or on one worker of its group; through a
journal or not (:mod:`flowrt.run.journal`); its acknowledgement window; the ways its server may
lose messages; and what a group member reports about its sources."""

from __future__ import annotations

from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from flowrt.api import Node, Source
from flowrt.run.journal_file import journal_path, settings
from flowrt.run.workers import Engine, run_source

if TYPE_CHECKING:
    from flowrt.compile.plan import PlannedNode
    from flowrt.group import Group
    from flowrt.run.context import NodeContext
    from flowrt.run.flow_control import FlowControl
    from flowrt.run.ports import Intake, OnClose


@dataclass(frozen=True, slots=True)
class Readers:
    """What reading the sources needs of a runtime."""

    engine: Engine
    flow: FlowControl
    """Where messages go (the flow's intake), and the acknowledgement windows."""
    planned: Mapping[str, PlannedNode]
    group: Group | None
    on_close: OnClose
    """Declares a journal's close hook."""


def reading(readers: Readers, node: Source, ctx: NodeContext) -> Coroutine[Any, Any, None]:
    """The loop that reads ``node``: held by one worker of the group when the source must run
    once there, else read here; through its journal when it has one. Registers the source's
    acknowledgement window (a journaled source's flow is not held to it), and warns of the ways
    its server may lose messages."""
    engine, flow = readers.engine, readers.flow
    log_node = engine.events.log_node
    pn = readers.planned[node.id]
    path = None
    if pn.journal:
        path = journal_path(pn.file, pn.flow, node.id)
        if path is None:
            log_node(node.id, "warning", "no state directory to keep a journal in (the "
                     "flow was not read from a file): reading without one, so messages "
                     "wait at the server while the flow is behind, where it may drop "
                     "them; give --state-dir", None)
    for risk in node.risks(pn.guarantee, pn.journal):
        log_node(node.id, "warning", risk, None)
    window = node.window()
    if window is not None and path is None:
        flow.windows.add(node.id, *window)
    group = readers.group

    def read(intake: Intake) -> Coroutine[Any, Any, None]:
        if group is not None and node.once_in_group(node.config):
            from flowrt.run.singleton import run_singleton

            return run_singleton(engine, intake, group, node, ctx)
        return run_source(engine, intake, node, ctx)

    if path is None:
        return read(flow)
    from flowrt.run.journal import Journal
    from flowrt.run.journal_intake import run_journaled

    journal = Journal(node.id, path, settings(), flow=flow, clock=engine.clock, log_node=log_node)
    engine.meter.journals[node.id] = journal
    return run_journaled(journal, read, flow=flow, log_node=log_node, on_close=readers.on_close,
                         planned=readers.planned)


class Made(Protocol):
    """The node instances of a runtime, with their counts (a Runtime has them)."""

    @property
    def nodes(self) -> Mapping[str, Node]: ...

    @property
    def stats(self) -> Mapping[str, list[int]]: ...


def singletons(rt: Made) -> list[str]:
    """The runtime's sources that, in a group, run on one worker at a time."""
    return [n for n, node in rt.nodes.items() if isinstance(node, Source)
            and type(node).read is not Source.read and node.once_in_group(node.config)]


def messages_read(rt: Made) -> int:
    """Messages the runtime's sources read (a group member's message count)."""
    return sum(rt.stats[n][1] for n, node in rt.nodes.items() if isinstance(node, Source))
