"""`flowrt serve` in a group with a database: its deploys go to every worker, and it runs the
revisions the others deploy (:mod:`flowrt.group.follow`).

A revision from the group replaces the flows directory's files (:meth:`FlowFiles.replace_all`:
a name that is not a flow file of the directory, such as ``../x``, refuses the whole revision
before anything is written), then deploys the flows that changed, and is recorded among this
server's own revisions. When the deploy fails, the files are put back as they were: refused
(the revision's flows have errors here), nothing changed, so the flows that run are those of
the files put back; failed as it started (a node could not start), the files put back are
deployed again, so that the flows of the revision that started are replaced by those of the
files again. The revision is then not applied again until a newer one comes, also after a
restart (:mod:`flowrt.group.failure`).
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
    from flowrt.group.failure import FailureRecord
    from flowrt.group.follow import Follower

    files = await asyncio.to_thread(server.files.snapshot)

    async def apply(rev: GroupRevision) -> None:
        await apply_revision(server, rev)

    failures = FailureRecord.of(group.name, server.settings.flows, server.settings.state_dir)
    server.follower = Follower(group, group.url, apply, snapshot_hash(files),
                               server.started_problem or "", failures=failures)
    await server.follower.start()


async def stop_following(server: Server) -> None:
    follower: Follower | None = server.follower
    if follower is not None:
        server.follower = None
        await follower.stop()


async def apply_revision(server: Server, rev: GroupRevision) -> None:
    """Write ``rev``'s files into the flows directory and deploy the flows that changed; when
    that fails, put the files back as they were (and their flows) and raise."""
    from flowrt.server.deploy import DeployRefused

    before = await asyncio.to_thread(server.files.snapshot)
    try:
        await asyncio.to_thread(server.files.replace_all, rev.files)
    except Exception:  # a bad name wrote nothing; a write that failed may have written some
        await asyncio.to_thread(server.files.replace_all, before)
        raise
    try:
        outcome = await server.engine.deploy("flows")
    except DeployRefused:
        await asyncio.to_thread(server.files.replace_all, before)
        raise
    except Exception:
        await asyncio.to_thread(server.files.replace_all, before)
        await _redeploy(server, rev)
        raise
    server.started_problem = None
    message = f"group revision {rev.hash}: {rev.message}" if rev.message else \
        f"group revision {rev.hash}"
    local = await asyncio.to_thread(server.revisions.add, rev.author, rev.files, message)
    server.hub.publish({"type": "deploy", "revision": local.id, "changed": outcome.public(),
                        "group": {"hash": rev.hash, "author": rev.author}})


async def _redeploy(server: Server, rev: GroupRevision) -> None:
    """Deploy the files put back after ``rev`` failed as it started (said when that fails
    too: the flows that could start run)."""
    try:
        await server.engine.deploy("flows")
    except Exception as exc:
        log.error("group revision %s failed; the flows of the files put back could not all "
                  "start either: %s", rev.hash, str(exc).strip().splitlines()[0]
                  if str(exc).strip() else type(exc).__name__)


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
