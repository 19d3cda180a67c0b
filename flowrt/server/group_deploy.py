"""`flowrt serve` in a group with a database: its deploys go to every worker, and it runs the
revisions the others deploy (:mod:`flowrt.group.follow`).

A revision from the group replaces the flows directory's files (:meth:`FlowFiles.replace_all`:
a name that is not a flow file of the directory, such as ``../x``, refuses the whole revision
before anything is written), then deploys the flows that changed, and is recorded among this
server's own revisions.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from flowrt.group.revisions import GroupRevision, snapshot_hash

if TYPE_CHECKING:
    from flowrt.group.follow import Follower
    from flowrt.server.state import Server

log = logging.getLogger("flowrt.server")


async def start_following(server: Server) -> None:
    """Start following the group's revisions, when the server is in a group with a database."""
    group = server.engine.group
    if group is None or not group.url:
        return
    from flowrt.group.follow import Follower

    files = await asyncio.to_thread(server.files.snapshot)

    async def apply(rev: GroupRevision) -> None:
        await apply_revision(server, rev)

    server.follower = Follower(group, group.url, apply, snapshot_hash(files),
                               server.started_problem or "")
    await server.follower.start()


async def stop_following(server: Server) -> None:
    follower: Follower | None = server.follower
    if follower is not None:
        server.follower = None
        await follower.stop()


async def apply_revision(server: Server, rev: GroupRevision) -> None:
    """Write ``rev``'s files into the flows directory and deploy the flows that changed."""
    await asyncio.to_thread(server.files.replace_all, rev.files)
    outcome = await server.engine.deploy("flows")
    server.started_problem = None
    message = f"group revision {rev.hash}: {rev.message}" if rev.message else \
        f"group revision {rev.hash}"
    local = await asyncio.to_thread(server.revisions.add, rev.author, rev.files, message)
    server.hub.publish({"type": "deploy", "revision": local.id, "changed": outcome.public()})


async def publish(server: Server, files: dict[str, str], author: str, message: str) -> None:
    """Give the group what this server deployed; a group database that cannot be reached is
    said in the log (this worker runs the deploy; the others keep theirs)."""
    follower: Follower | None = server.follower
    if follower is None:
        return
    try:
        await follower.publish(files, author, message)
    except Exception as exc:
        log.warning("deploy: the group's other workers were not told (%s); they keep their "
                    "revision until the next deploy", str(exc).strip().splitlines()[0]
                    if str(exc).strip() else type(exc).__name__)
