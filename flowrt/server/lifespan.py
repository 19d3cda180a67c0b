"""The life of `flowrt serve`'s flows: deployed at start-up, stopped gracefully at shutdown.

A directory with errors starts with nothing running, and says why in the log and on ``/ready``.
What runs beside the flows (the embedded MQTT broker, the group membership, context flushing)
starts and stops as under `flowrt run` (:mod:`flowrt.run.sidecars`); in a group with a
database, the group's revisions are followed while the flows run (:mod:`.group_deploy`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

from flowrt.run import paths
from flowrt.run.sidecars import flushing, sidecars
from flowrt.server.deploy import DeployRefused
from flowrt.server.group_deploy import start_following, stop_following
from flowrt.server.state import Server

log = logging.getLogger("flowrt.server")


def lifespan_of(server: Server) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """The Starlette lifespan that runs ``server``'s flows while the app serves."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        settings = server.settings
        async with sidecars(settings.mqtt_broker, settings.group, log):
            paths.configure(settings.path_sample)
            try:
                if settings.deploy_on_start:
                    await _deploy_on_start(server)
                await start_following(server)
                async with flushing(server.engine.stores):
                    yield
            finally:
                await stop_following(server)
                await server.engine.stop()
                server.close()
                paths.configure(paths.Sample())

    return lifespan


async def _deploy_on_start(server: Server) -> None:
    try:
        await server.engine.deploy("full")
        await asyncio.to_thread(server.record_start)
    except DeployRefused as exc:
        server.started_problem = f"the flows have {len(exc.diagnostics)} error(s)"
        for d in exc.diagnostics:
            log.error("%s", d)
    except Exception as exc:
        server.started_problem = str(exc)
        log.error("the flows could not start: %s", exc)
    server.engine.ready = True
