"""A group of workers: several `flowrt run` or `flowrt serve` processes running the same flows,
on one machine or many, that share the load and survive the loss of one.

Nothing here moves messages between workers: the brokers do that (an AMQP queue's competing
consumers, MQTT shared subscriptions). The group adds what the brokers cannot: sources that must
run once (a timer, an MQTT subscription that is not shared) are held by one worker through a
lease (:mod:`flowrt.group.leases`), and every worker keeps a record of itself (who it is, when
it was last seen, how many messages its sources read, which singletons it holds), so any worker,
``flowrt group status`` or the server's ``/api/group`` can show the whole group.

Where leases and records live is the group's backend, one of two with the same shape:

- :class:`~flowrt.group.postgres.PostgresBackend` (``--group-db``): advisory locks and a table
  in PostgreSQL, for workers on several machines;
- :class:`~flowrt.group.local.LocalBackend` (``flowrt run --workers N`` without ``--group-db``):
  file locks in a directory of this host, for the worker processes of one machine.

Each worker drives its backend from one loop: every ``poll`` seconds it takes the free leases it
wants, gives back the ones released, writes its record and reads the others'. When the backend
fails (the database connection broke) every lease is treated as lost at once, and the loop
reopens it with back-off.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable

from flowrt.group.leases import Lease, LeaseTable
from flowrt.group.member import Backend, Member

log = logging.getLogger("flowrt.group")


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Group:
    """This worker's membership of group ``name``: in the PostgreSQL database at ``url``, or in
    the given ``backend``."""

    def __init__(
        self,
        name: str,
        url: str | None = None,
        *,
        backend: Backend | None = None,
        worker: str | None = None,
        poll: float = 1.0,
        address: str = "",
    ) -> None:
        if not name:
            raise ValueError("a group needs a name")
        if backend is None:
            if not url:
                raise ValueError("a group needs a database URL or a backend")
            from flowrt.group.postgres import PostgresBackend

            backend = PostgresBackend(url)
        self.name = name
        self.url = url
        """The group's PostgreSQL database (None for a group of this host's processes)."""
        self.backend = backend
        self.worker = worker or default_worker_name()
        self.poll = poll
        self.address = address
        self.alive_after = max(5.0, 5 * poll)
        """A member not seen for this long is shown as gone."""
        self.leases = LeaseTable(name)
        self.connected = False
        self.members: list[Member] = []
        """Every member, as read on the last round (this worker included)."""
        self.counters: set[Callable[[], int]] = set()
        """Each gives the messages a runtime's sources read; summed into this worker's row."""
        self.revision = ""
        """The hash of the group revision this worker runs (:mod:`flowrt.group.follow`)."""
        self.deploy_error = ""
        """Why its last deploy of a group revision failed, or ""."""
        self._retired = 0
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._first = asyncio.Event()

    # lifecycle ---------------------------------------------------------------------------

    async def start(self, wait: float = 10.0) -> None:
        """Start the group loop; wait up to ``wait`` s for the first round, so singletons start
        at once when the backend answers (and later, when it does not yet)."""
        self._stopping = False
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="flowrt:group")
        try:
            async with asyncio.timeout(wait):
                await asyncio.shield(self._first.wait())
        except TimeoutError:
            log.warning("group %s: %s does not answer yet; sources that run once in the group "
                        "wait for it", self.name, self.backend.where)

    async def stop(self) -> None:
        """Leave the group: give every lease back and mark this worker gone."""
        if self._task is not None:
            # Python 3.11's asyncio.wait_for may swallow a cancellation that arrives as the wait
            # it guards ends (the loop then went on for ever, and so did this stop): the loop
            # waits under asyncio.timeout now, and, should a backend's driver swallow one too,
            # also looks at _stopping, and the task is asked again until it has ended
            self._stopping = True
            while not self._task.done():
                self._task.cancel()
                await asyncio.wait({self._task}, timeout=1.0)
            self._task = None
        if self.connected:
            try:
                await self.backend.leave(self)
            except Exception as exc:  # leaving is best effort: closing unlocks anyway
                log.debug("group %s: could not mark this worker gone: %r", self.name, exc)
        await self.backend.close()
        self.leases.lose_all()
        self.connected = False

    def lease(self, key: str) -> Lease:
        """Claim the singleton ``key`` (a node id) for this worker."""
        return self.leases.claim(key)

    def count(self, counter: Callable[[], int]) -> Callable[[], None]:
        """Add a runtime's message counter; returns the function that retires it (keeping its
        last value in this worker's total)."""
        self.counters.add(counter)

        def retire() -> None:
            if counter in self.counters:
                self.counters.discard(counter)
                self._retired += counter()

        return retire

    def report(self, revision: str, deploy_error: str = "") -> None:
        """Say which revision this worker runs (and why its last deploy failed); written to
        its record on the next round, which starts at once."""
        self.revision, self.deploy_error = revision, deploy_error
        self.leases.changed.set()

    @property
    def messages(self) -> int:
        return self._retired + sum(counter() for counter in self.counters)

    def holder(self, key: str) -> str | None:
        """The worker holding singleton ``key``, as last read."""
        if key in self.leases.held:
            return self.worker
        for member in self.members:
            if member.alive and key in member.holds:
                return member.worker
        return None

    # the loop ----------------------------------------------------------------------------

    async def _loop(self) -> None:
        delay = 0.5
        down_since_start = False
        while not self._stopping:
            try:
                await self.backend.open(self)
            except Exception as exc:
                await self._broken(exc, delay)
                down_since_start = True
                delay = min(delay * 2, 10.0)
                continue
            if down_since_start:
                log.info("group %s: reconnected to %s", self.name, self.backend.where)
            self.connected = True
            delay = 0.5
            rounds = 0
            try:
                while not self._stopping:
                    async with asyncio.timeout(self.alive_after):
                        self.members = await self.backend.round(self, rounds)
                    self._first.set()
                    rounds += 1
                    try:
                        async with asyncio.timeout(self.poll):
                            await self.leases.changed.wait()
                    except TimeoutError:
                        pass
                    self.leases.changed.clear()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._broken(exc, delay)
                down_since_start = True

    async def _broken(self, exc: BaseException, delay: float) -> None:
        lost = self.leases.lose_all()
        was = self.connected
        self.connected = False
        await self.backend.close()
        where = self.backend.where
        if lost:
            log.warning("group %s: lost %s (%s); stopped %s on this worker until it is back",
                        self.name, where, _reason(exc), ", ".join(lost))
        elif was or not self._first.is_set():
            log.warning("group %s: cannot reach %s (%s); retry in %.1f s",
                        self.name, where, _reason(exc), delay)
        self._first.set()
        await asyncio.sleep(delay)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
