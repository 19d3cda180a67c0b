"""Sources that run once in a group of workers: read only while this worker holds the lease.

In a group (``flowrt run --group`` or ``--workers``), a source whose type says
``once_in_group(config)`` (an inject timer, an MQTT subscription that is not shared) is claimed
from the group when the runtime starts. Until the lease is granted the node shows "standby";
once granted it connects and reads as any source; if the lease is lost (this worker's database
connection broke, so another worker may take over; a file lock of the local backend is lost
only with its process) the reading stops at once, the source is closed, and the node waits to
be granted again. Messages already read finish their way through the flow as usual.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from flowrt.api import Source
from flowrt.run.workers import Engine, run_source

if TYPE_CHECKING:
    from flowrt.group import Group
    from flowrt.run.context import NodeContext
    from flowrt.run.ports import Intake


async def run_singleton(
    engine: Engine, intake: Intake, group: Group, node: Source, ctx: NodeContext
) -> None:
    """Read ``node`` into ``intake`` (as :func:`run_source`) while this worker holds its lease."""
    lease = group.lease(node.id)
    phase, log_node = engine.phase, engine.events.log_node
    try:
        while not phase.stopping:
            if not lease.held:
                ctx.status("grey", "ring", "standby: another worker runs it")
                await lease.granted()
            ctx.status("green", "dot", f"running on {group.worker}")
            log_node(node.id, "info", f"group {group.name}: runs on this worker now", None)
            reading = asyncio.get_running_loop().create_task(run_source(engine, intake, node, ctx))
            lost = asyncio.get_running_loop().create_task(lease.lost())
            done: set[asyncio.Task[None]] = set()
            try:
                done, _ = await asyncio.wait({reading, lost}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for task in (reading, lost):
                    task.cancel()
                await asyncio.gather(reading, lost, return_exceptions=True)
            if lost not in done:
                return  # the source ended (EndOfInput) or the runtime is stopping
            if phase.stopping:
                return
            log_node(node.id, "warning", f"group {group.name}: lost the lease (lost "
                     f"{group.backend.where}); stopped here, another worker takes over", None)
            try:
                async with asyncio.timeout(15.0):
                    await node.close()
            except Exception as exc:
                log_node(node.id, "warning", f"failed while closing: {exc!r}", None)
    finally:
        lease.release()
