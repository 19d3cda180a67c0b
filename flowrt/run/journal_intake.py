"""Reading a source into its journal (:mod:`flowrt.run.journal`), and closing the journal.

The reading loop is the engine's own (:func:`flowrt.run.workers.run_source`, or a group's
singleton around it): it is given a :class:`JournalIntake` in the flow's place, through which
messages go to the journal and the journal's room, not the flow's, pauses reading. The journal
declares a close hook to the runtime (``on_close``): it is closed at the very end of a stop,
after the connections, once the flow drained.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any

from flowrt.errors import ConfigError
from flowrt.run.journal import Journal
from flowrt.run.journal_file import orphans

if TYPE_CHECKING:
    from flowrt.compile.plan import PlannedNode
    from flowrt.run.ports import Intake, LogNode, OnClose

Reading = Callable[["Intake"], Coroutine[Any, Any, None]]
"""The engine's reading loop of a source, given what it reads into."""


async def run_journaled(
    journal: Journal, reading: Reading, *, flow: Intake, log_node: LogNode, on_close: OnClose,
    planned: Mapping[str, PlannedNode],
) -> None:
    """Read the journal's source through it: ``reading(intake)`` is the engine's reading loop.
    ``flow`` is the runtime's intake (read into directly when the journal cannot open),
    ``on_close`` declares the journal's close hook, ``planned`` tells the flow's other nodes."""
    node_id = journal.node_id
    try:
        left = await journal.open()
    except ConfigError as exc:
        log_node(node_id, "error", f"{exc}; reading without a journal meanwhile", None)
        await reading(flow)
        return
    on_close(f"journal:{node_id}", journal.close)
    if left:
        log_node(node_id, "info", f"feeding {left} message(s) an earlier run left in the "
                 f"journal {journal.path} first", None)
    flow_id = planned[node_id].flow
    known = {n for n, pn in planned.items() if pn.flow == flow_id}
    for path, other, rows in await asyncio.to_thread(orphans, journal.path, flow_id, known):
        log_node(node_id, "warning", f"the journal {path} holds {rows} message(s) of a "
                 f"source '{other}' that flow '{flow_id}' no longer has: no one feeds them; "
                 f"name the source '{other}' again to have them fed, or delete the file", None)
    try:
        await reading(JournalIntake(journal))
        await journal.drained()  # the source ended: what it journaled still goes to the flow
    finally:
        await journal.stop_reading()


class JournalIntake:
    """What a reading loop reads into while its source has a journal (a
    :class:`flowrt.run.ports.Intake`): messages go to the journal, and the journal's room, not
    the flow's, pauses it."""

    def __init__(self, journal: Journal) -> None:
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


class _Unseen:
    """An inflow that counts nothing (see :class:`JournalIntake`)."""

    def took(self) -> None:
        pass

    def rest(self) -> None:
        pass
