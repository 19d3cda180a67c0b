"""What runs beside the flows, started and stopped the same way by `flowrt run` and `flowrt serve`.

:func:`sidecars` surrounds the flows: the embedded MQTT broker (``--mqtt-broker``) starts first
and stops last, and the group membership (``--group``) is joined before the flows start and left
after they stopped. :func:`flushing` surrounds the time the flows run: a persistent context store
has its changes written every few seconds (and at each runtime's stop, by the runtime), so a
crash loses only the last seconds of context.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

from flowrt.netloc import host_port
from flowrt.run.stores import Stores

if TYPE_CHECKING:
    from flowrt.broker.embedded import EmbeddedBroker
    from flowrt.group import Group

log = logging.getLogger("flowrt.run")

FLUSH_EVERY = 5.0
"""Seconds between two writes of a persistent context store's changes."""


@contextlib.asynccontextmanager
async def sidecars(mqtt_broker: EmbeddedBroker | None = None, group: Group | None = None,
                   logger: logging.Logger = log) -> AsyncIterator[None]:
    """Start the embedded MQTT broker ``mqtt_broker`` and join ``group`` (either may be None),
    then, once the body is done (or failed), leave the group and stop the broker. ``logger``
    says so: the command's own (``flowrt.run`` or ``flowrt.server``)."""
    broker = mqtt_broker
    if broker is not None:
        await broker.start()
        users = f", {len(broker.users)} user(s)" if broker.users else ", no users"
        users += ", topic ACLs" if broker.acl is not None else ""
        logger.info("embedded MQTT broker on %s%s", host_port(broker.host, broker.port), users)
    try:
        if group is not None:
            await group.start()
            logger.info("group %s: joined as worker %s", group.name, group.worker)
        yield
    finally:
        if group is not None:
            await group.stop()
        if broker is not None:
            await broker.stop()


@contextlib.asynccontextmanager
async def flushing(stores: Stores, every: float = FLUSH_EVERY) -> AsyncIterator[None]:
    """Write ``stores``' changed context every ``every`` seconds while the body runs, when the
    store is persistent; the writes stop as the body ends, before the flows stop."""
    task = asyncio.get_running_loop().create_task(_flush(stores, every)) \
        if stores.persistent else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()


async def _flush(stores: Stores, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        await asyncio.to_thread(stores.write, stores.take_changes())
