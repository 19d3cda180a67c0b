"""Leases: which worker of a group runs a source that must run once (a timer, a plain MQTT
subscription).

A lease is a PostgreSQL session-level advisory lock, taken on the worker's one group connection.
The database releases it the moment that connection ends, so a worker that dies (kill -9, a lost
machine) gives its leases up without anyone's help; the other workers try to take free leases
every ``poll`` seconds, so one of them takes over within about a second. A worker that loses its
connection to the database treats every lease as lost at once and stops those sources before
trying to reconnect: two workers never run the same singleton knowingly.

Within one worker a lease is granted to one claimant at a time; a redeploy that stops one runtime
and starts another hands the lease over locally, without unlocking.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import deque


def lock_key(group: str, key: str) -> int:
    """The 64-bit advisory lock key for ``key`` in ``group`` (stable across processes)."""
    digest = hashlib.sha256(f"flowrt\0{group}\0{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Lease:
    """One claim on a singleton by one runtime of this worker.

    ``await granted()`` returns once this worker holds the lock for it; ``await lost()`` returns
    when it no longer does (the database connection broke). ``release()`` gives it up.
    ``losses`` counts the times it was lost: a lease lost and granted again between two looks
    shows as a higher count, where ``lost()`` would wait for the next loss.
    """

    def __init__(self, table: LeaseTable, key: str) -> None:
        self.key = key
        self._table = table
        self._granted = asyncio.Event()
        self._lost = asyncio.Event()
        self.released = False
        self.losses = 0

    @property
    def held(self) -> bool:
        return self._granted.is_set()

    async def granted(self) -> None:
        await self._granted.wait()

    async def lost(self) -> None:
        await self._lost.wait()

    def release(self) -> None:
        if not self.released:
            self.released = True
            self._table.release(self)

    # called by the table
    def _grant(self) -> None:
        self._lost.clear()
        self._granted.set()

    def _revoke(self) -> None:
        if self._granted.is_set():
            self.losses += 1
        self._granted.clear()
        self._lost.set()


class LeaseTable:
    """The leases this worker wants and holds; the group's connection loop drives it."""

    def __init__(self, group: str) -> None:
        self.group = group
        self.claims: dict[str, deque[Lease]] = {}
        """key -> claimants, the first is the one granted when the lock is held."""
        self.held: set[str] = set()
        """Keys whose lock this worker's connection holds."""
        self.to_unlock: set[str] = set()
        self.changed = asyncio.Event()
        """Set when there is work for the connection loop (a new claim, a release)."""

    def claim(self, key: str) -> Lease:
        lease = Lease(self, key)
        queue = self.claims.setdefault(key, deque())
        queue.append(lease)
        self.to_unlock.discard(key)
        if key in self.held and len(queue) == 1:
            lease._grant()
        self.changed.set()
        return lease

    def release(self, lease: Lease) -> None:
        queue = self.claims.get(lease.key)
        if queue is None or lease not in queue:
            return
        first = queue[0] is lease
        queue.remove(lease)
        lease._revoke()
        if not queue:
            del self.claims[lease.key]
            if lease.key in self.held:
                self.to_unlock.add(lease.key)
                self.changed.set()
        elif first and lease.key in self.held:
            queue[0]._grant()  # hand over within the worker: the lock stays taken

    def wanted(self) -> list[str]:
        """Keys claimed here whose lock this worker does not hold yet."""
        return [key for key in self.claims if key not in self.held]

    def took(self, key: str) -> None:
        self.held.add(key)
        queue = self.claims.get(key)
        if queue:
            queue[0]._grant()

    def unlocked(self, key: str) -> None:
        self.held.discard(key)
        self.to_unlock.discard(key)

    def lose_all(self) -> list[str]:
        """The connection broke: every lock is gone. Returns the keys that were held."""
        lost = sorted(self.held)
        for key in lost:
            for lease in self.claims.get(key, ()):
                lease._revoke()
        self.held.clear()
        self.to_unlock.clear()
        return lost
