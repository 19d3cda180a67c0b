"""Reading a source into its journal (:mod:`flowrt.run.journal`), and closing the journal.

The reading loop is the engine's own (:func:`flowrt.run.workers.run_source`, or a group's
singleton around it): it is given an :class:`Intake` in the runtime's place, through which
messages go to the journal and the journal's room, not the flow's, pauses reading. The journal
is closed with the runtime's connections, the last step of a stop, once the flow drained.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from flowrt.api import Connection, Source
from flowrt.errors import ConfigError
from flowrt.run.journal import Journal
from flowrt.run.journal_file import orphans

if TYPE_CHECKING:
    from flowrt.run.context import NodeContext
    from flowrt.run.runtime import Runtime

Reading = Callable[[Any], Coroutine[Any, Any, None]]
"""The engine's reading loop of a source, given the runtime (or an Intake in its place)."""


class JournalCloser(Connection):
    """Closes a journal when the runtime closes its connections: after the drain, once every
    message the flow could finish is finished (the runtime has no other hook that late)."""

    type = "journal"

    def __init__(self, journal: Journal, ctx: Any) -> None:
        super().__init__(f"journal:{journal.node_id}", None, ctx)
        self.journal = journal

    async def close(self) -> None:
        await self.journal.close()


async def run_journaled(rt: Runtime, node: Source, ctx: NodeContext, journal: Journal,
                        reading: Reading) -> None:
    """Read ``node`` through ``journal``: ``reading(intake)`` is the engine's reading loop,
    given the intake in the runtime's place."""
    try:
        left = await journal.open()
    except ConfigError as exc:
        rt.log_node(node.id, "error", f"{exc}; reading without a journal meanwhile", None)
        await reading(rt)
        return
    rt.connections[f"\0journal:{node.id}"] = JournalCloser(journal, ctx)
    if left:
        rt.log_node(node.id, "info", f"feeding {left} message(s) an earlier run left in the "
                    f"journal {journal.path} first", None)
    flow = rt.plan.nodes[node.id].flow
    known = {n for n, pn in rt.plan.nodes.items() if pn.flow == flow}
    for path, other, rows in await asyncio.to_thread(orphans, journal.path, flow, known):
        rt.log_node(node.id, "warning", f"the journal {path} holds {rows} message(s) of a "
                    f"source '{other}' that flow '{flow}' no longer has: no one feeds them; "
                    f"name the source '{other}' again to have them fed, or delete the file",
                    None)
    try:
        await reading(Intake(rt, journal))
        await journal.drained()  # the source ended: what it journaled still goes to the flow
    finally:
        await journal.stop_reading()


class Intake:
    """The runtime as :func:`flowrt.run.workers.run_source` sees it while it reads into a
    journal: messages go to the journal, and the journal's room, not the flow's, pauses it."""

    def __init__(self, rt: Runtime, journal: Journal) -> None:
        self._rt = rt
        self.emit_source = journal.take
        self._journal = journal
        self.inflow = _Unseen()
        """Reading into the journal brings no message nearer a sink: the feeding does."""

    @property
    def full(self) -> bool:
        return self._journal.full

    @property
    def room(self) -> asyncio.Event:
        return self._journal.room

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rt, name)


class _Unseen:
    """An inflow that counts nothing (see :class:`Intake`)."""

    def took(self) -> None:
        pass

    def rest(self) -> None:
        pass
