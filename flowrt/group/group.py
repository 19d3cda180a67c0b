"""A group of workers: several `flowrt run` or `flowrt serve` processes running the same flows,
on one machine or many, that share the load and survive the loss of one.

Nothing here moves messages between workers: the brokers do that (an AMQP queue's competing
consumers, MQTT shared subscriptions). The group adds what the brokers cannot: sources that must
run once (a timer, an MQTT subscription that is not shared) are held by one worker through a
PostgreSQL advisory lock (:mod:`flowrt.group.leases`), and every worker keeps a row in the
``flowrt_group_member`` table (who it is, when it was last seen, how many messages its sources
read, which singletons it holds), so any worker, ``flowrt group status`` or the server's
``/api/group`` can show the whole group.

Each worker has one database connection for this, driven by one loop: every ``poll`` seconds it
takes the free locks it wants, gives back the ones released, writes its row and reads the
others'. The database, not the workers' clocks, says when a row was last seen.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flowrt.group.leases import Lease, LeaseTable, lock_key

log = logging.getLogger("flowrt.group")

TABLE = "flowrt_group_member"
_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    group_name text NOT NULL,
    worker text NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    address text NOT NULL DEFAULT '',
    started timestamptz NOT NULL,
    seen timestamptz NOT NULL,
    messages bigint NOT NULL DEFAULT 0,
    holds text[] NOT NULL DEFAULT '{{}}',
    backend_pid integer NOT NULL DEFAULT 0,
    PRIMARY KEY (group_name, worker)
)"""
_REGISTER = f"""
INSERT INTO {TABLE} (group_name, worker, host, pid, address, started, seen, backend_pid)
VALUES (%s, %s, %s, %s, %s, now(), now(), pg_backend_pid())
ON CONFLICT (group_name, worker) DO UPDATE
SET host = EXCLUDED.host, pid = EXCLUDED.pid, address = EXCLUDED.address,
    started = CASE WHEN {TABLE}.pid = EXCLUDED.pid AND {TABLE}.host = EXCLUDED.host
                   THEN {TABLE}.started ELSE EXCLUDED.started END,
    seen = EXCLUDED.seen, holds = '{{}}', backend_pid = EXCLUDED.backend_pid"""
_HEARTBEAT = f"""
UPDATE {TABLE} SET seen = now(), messages = %s, holds = %s
WHERE group_name = %s AND worker = %s"""
ALIVE = f"""(seen > now() - make_interval(secs => %s)
       AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = {TABLE}.backend_pid))"""
"""A member is alive while it was seen lately and its database session still exists: a worker
killed outright is gone the moment the database notices its connection closed."""
_MEMBERS = f"""
SELECT worker, host, pid, address, started, seen, messages, holds,
       {ALIVE} AS alive
FROM {TABLE} WHERE group_name = %s ORDER BY worker"""
_FORGET = f"""
DELETE FROM {TABLE} WHERE group_name = %s AND seen < now() - make_interval(secs => %s)"""
FORGET_AFTER = 24 * 3600.0
"""Rows of workers gone this long are deleted (until then they show as not alive)."""


@dataclass(frozen=True)
class Member:
    worker: str
    host: str
    pid: int
    address: str
    started: datetime
    seen: datetime
    messages: int
    holds: tuple[str, ...]
    alive: bool

    def public(self, me: str = "") -> dict[str, Any]:
        return {
            "worker": self.worker, "host": self.host, "pid": self.pid, "address": self.address,
            "started": self.started.isoformat(), "seen": self.seen.isoformat(),
            "alive": self.alive, "messages": self.messages, "holds": list(self.holds),
            "me": self.worker == me,
        }


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def plain_postgres_url(url: str) -> str:
    """psycopg wants ``postgresql://``; accept SQLAlchemy's ``postgresql+psycopg://`` too."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    return url


class Group:
    """This worker's membership of group ``name``, kept in the PostgreSQL database at ``url``."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        worker: str | None = None,
        poll: float = 1.0,
        address: str = "",
    ) -> None:
        if not name:
            raise ValueError("a group needs a name")
        self.name = name
        self.url = plain_postgres_url(url)
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
        self._retired = 0
        self._task: asyncio.Task[None] | None = None
        self._first = asyncio.Event()
        self._conn: Any = None

    # lifecycle ---------------------------------------------------------------------------

    async def start(self, wait: float = 10.0) -> None:
        """Start the group loop; wait up to ``wait`` s for the first round, so singletons start
        at once when the database answers (and later, when it does not yet)."""
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="flowrt:group")
        try:
            await asyncio.wait_for(asyncio.shield(self._first.wait()), wait)
        except TimeoutError:
            log.warning("group %s: the database does not answer yet; sources that run once "
                        "in the group wait for it", self.name)

    async def stop(self) -> None:
        """Leave the group: give every lock back and mark this worker gone."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await asyncio.wait_for(conn.execute(
                    f"UPDATE {TABLE} SET seen = now(), holds = '{{}}', backend_pid = 0 "
                    "WHERE group_name = %s AND worker = %s", (self.name, self.worker)), 5.0)
            except Exception as exc:  # leaving is best effort: closing unlocks anyway
                log.debug("group %s: could not mark this worker gone: %r", self.name, exc)
            await _close(conn)
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
        while True:
            try:
                self._conn = await self._connect()
                await self._register(self._conn)
            except Exception as exc:
                await self._broken(exc, delay)
                down_since_start = True
                delay = min(delay * 2, 10.0)
                continue
            if down_since_start:
                log.info("group %s: reconnected to the database", self.name)
            self.connected = True
            delay = 0.5
            rounds = 0
            try:
                while True:
                    await asyncio.wait_for(self._round(self._conn, rounds), self.alive_after)
                    self._first.set()
                    rounds += 1
                    try:
                        await asyncio.wait_for(self.leases.changed.wait(), self.poll)
                    except TimeoutError:
                        pass
                    self.leases.changed.clear()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._broken(exc, delay)
                down_since_start = True

    async def _connect(self) -> Any:
        import psycopg

        return await psycopg.AsyncConnection.connect(
            self.url, autocommit=True, connect_timeout=max(2, int(self.alive_after)),
            application_name=f"flowrt group {self.name} {self.worker}"[:63],
            keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=2,
        )

    async def _register(self, conn: Any) -> None:
        import psycopg

        try:
            await conn.execute(_CREATE)
        except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable):
            pass  # another worker created it at the same moment
        await conn.execute(_REGISTER, (self.name, self.worker, socket.gethostname(),
                                       os.getpid(), self.address))

    async def _round(self, conn: Any, rounds: int) -> None:
        table = self.leases
        for key in sorted(table.to_unlock):
            await conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(self.name, key),))
            table.unlocked(key)
            log.info("group %s: released %s", self.name, key)
        wanted = table.wanted()
        if wanted:
            cur = await conn.execute(
                "SELECT pg_try_advisory_lock(k) FROM unnest(%s::bigint[]) WITH ORDINALITY "
                "AS t(k, n) ORDER BY n", ([lock_key(self.name, key) for key in wanted],))
            for key, (took,) in zip(wanted, await cur.fetchall(), strict=True):
                if took:
                    table.took(key)
                    log.info("group %s: this worker (%s) now runs %s", self.name, self.worker,
                             key)
        await conn.execute(_HEARTBEAT, (self.messages, sorted(table.held), self.name,
                                        self.worker))
        cur = await conn.execute(_MEMBERS, (self.alive_after, self.name))
        self.members = [
            Member(worker=r[0], host=r[1], pid=r[2], address=r[3], started=r[4], seen=r[5],
                   messages=r[6], holds=tuple(r[7] or ()), alive=bool(r[8]))
            for r in await cur.fetchall()
        ]
        if rounds % 600 == 0:
            await conn.execute(_FORGET, (self.name, FORGET_AFTER))

    async def _broken(self, exc: BaseException, delay: float) -> None:
        lost = self.leases.lose_all()
        was = self.connected
        self.connected = False
        conn, self._conn = self._conn, None
        if conn is not None:
            await _close(conn)
        if lost:
            log.warning("group %s: lost the database connection (%s); stopped %s on this "
                        "worker until it is back", self.name, _reason(exc), ", ".join(lost))
        elif was or not self._first.is_set():
            log.warning("group %s: cannot reach the database (%s); retry in %.1f s",
                        self.name, _reason(exc), delay)
        self._first.set()
        await asyncio.sleep(delay)


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


async def _close(conn: Any) -> None:
    try:
        await asyncio.wait_for(conn.close(), 2.0)
    except Exception:  # a broken connection may not close cleanly; it is gone either way
        pass
