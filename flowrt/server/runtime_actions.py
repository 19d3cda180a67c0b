"""What the admin APIs do to the running flows, shared by flowrt's routes and the Node-RED
admin API's: deploy the directory and record the revision; press an inject node's button."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from flowrt.server.group_deploy import publish
from flowrt.server.state import Server

log = logging.getLogger("flowrt.server")


@dataclass
class Deployed:
    revision: int
    changed: dict[str, Any]
    """What the deploy changed (:meth:`flowrt.server.deploy.Outcome.public`)."""


async def deploy_recorded(server: Server, mode: str, author: str, message: str,
                          skip_invalid: bool = False) -> Deployed:
    """Deploy the flows directory (``mode`` "nodes", "flows", "changed" or "full"), record the
    revision and tell the event clients. Raises DeployRefused (nothing changed) or ConfigError
    (the flows could not start), as :meth:`~flowrt.server.deploy.Engine.deploy` does."""
    from flowrt.server.deploy import DeployRefused

    try:
        outcome = await server.engine.deploy(mode, skip_invalid)
    except DeployRefused as exc:
        log.warning("deploy (%s) by %s refused: %d problem(s) in the flows", mode, author,
                    len(exc.diagnostics))
        raise
    server.started_problem = None
    files = await asyncio.to_thread(server.files.snapshot)
    rev = await asyncio.to_thread(server.revisions.add, author, files, message)
    await publish(server, files, author, message)
    log.info("deploy (%s) by %s: revision %s, %d node(s) changed", mode, author, rev.id,
             len(outcome.nodes))
    changed = outcome.public()
    server.hub.publish({"type": "deploy", "revision": rev.id, "changed": changed})
    return Deployed(int(rev.id or 0), changed)


class NotInjectable(Exception):
    """The node cannot be pressed: ``status`` 404 (not running), 400 (not an inject node) or
    422 (its message could not be made)."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status


def press_inject(server: Server, node_id: str) -> None:
    """Make the message a running inject node would send now, and send it."""
    rt = server.engine.find(node_id)
    if rt is None:
        raise NotInjectable(404, f"no running node '{node_id}': deploy first")
    if rt.plan.nodes[node_id].type != "inject":
        raise NotInjectable(400, f"node '{node_id}' is a {rt.plan.nodes[node_id].type} node, "
                            "not an inject node")
    node = rt.nodes[node_id]
    msg: dict[str, Any] = {}
    try:
        for put, value in getattr(node, "_values", ()):
            put(msg, value(msg))
    except Exception as exc:
        raise NotInjectable(422, f"node '{node_id}' could not make its message: {exc}") from exc
    rt.emit_source(node_id, msg, None)
