"""What a group's members are, and what a backend needs of the group it keeps.

:class:`Member` is one worker's record as every worker reads it; :class:`Membership` is the part of
:class:`~flowrt.group.group.Group` a :class:`Backend` reads and drives (its name, this worker, the
lease table); :class:`Backend` is where a group keeps its leases and its members' records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flowrt.group.leases import LeaseTable


class Membership(Protocol):
    """This worker's side of a group, as a backend sees it."""

    name: str
    worker: str
    address: str
    alive_after: float
    leases: LeaseTable
    revision: str
    """The hash of the revision this worker runs ("" when it does not follow revisions)."""
    deploy_error: str
    """Why its last deploy of a group revision failed ("" when it did not)."""

    @property
    def messages(self) -> int: ...


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
    revision: str = ""
    deploy_error: str = ""

    def public(self, me: str = "") -> dict[str, Any]:
        return {
            "worker": self.worker, "host": self.host, "pid": self.pid, "address": self.address,
            "started": self.started.isoformat(), "seen": self.seen.isoformat(),
            "alive": self.alive, "messages": self.messages, "holds": list(self.holds),
            "me": self.worker == me, "revision": self.revision,
            "deploy_error": self.deploy_error,
        }


class Backend(Protocol):
    """Where a group keeps its leases and its members' records.

    ``open`` joins (connects, registers this worker); ``round`` applies the lease table (unlock
    what was released, try to take what is wanted: ``table.unlocked``/``table.took``), writes
    this worker's record and returns every member's; ``leave`` marks this worker gone (best
    effort); ``close`` drops every lease the backend holds. Any exception from ``open`` or
    ``round`` means every lease may be lost.
    """

    where: str
    """What the group depends on, for the log: "the database"."""

    async def open(self, group: Membership) -> None: ...

    async def round(self, group: Membership, rounds: int) -> list[Member]: ...

    async def leave(self, group: Membership) -> None: ...

    async def close(self) -> None: ...
