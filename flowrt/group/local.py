"""The local backend of a group: the worker processes of one host (``flowrt run --workers N``
without ``--group-db``), coordinated through files in a directory of that host.

- A lease is an exclusive ``flock`` on ``lease-<hash>.lock``. The kernel drops it the moment
  the process holding it ends, however it ends (kill -9 included), so a standby worker takes
  the singleton over on its next round (every ``poll`` seconds); nothing can hold a lease
  without a live process behind it.
- A member is ``member-<hash>.json`` (who, pid, messages read, singletons held, written every
  round, replaced atomically) beside ``member-<hash>.lock``, which the worker holds locked for
  its life: a member is alive while that lock is held.

The directory is private to the user (mode 0700, owned by them; another owner is refused), as
the locks say which process may run a timer.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import socket
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flowrt.errors import ConfigError

if TYPE_CHECKING:
    from flowrt.group.member import Member, Membership

log = logging.getLogger("flowrt.group")


def runtime_directory() -> Path:
    """Where local groups keep their locks: ``$FLOWRT_RUNTIME_DIR``, else
    ``$XDG_RUNTIME_DIR/flowrt``, else ``flowrt-<uid>`` in the temporary directory."""
    given = os.environ.get("FLOWRT_RUNTIME_DIR")
    if given:
        return Path(given)
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg:
        return Path(xdg) / "flowrt"
    return Path(tempfile.gettempdir()) / f"flowrt-{os.getuid()}"


def group_directory(name: str) -> Path:
    """The private directory of local group ``name`` (made if missing); ConfigError when it
    belongs to someone else or is open to others."""
    base = runtime_directory()
    path = base / f"group-{_hash(name)}"
    for place in (base, path):
        place.mkdir(mode=0o700, exist_ok=True)
        info = place.stat()
        if info.st_uid != os.getuid() or info.st_mode & 0o077:
            raise ConfigError(
                f"the directory {place} of the local group's locks belongs to another user or "
                "is open to others; remove it, or set FLOWRT_RUNTIME_DIR to a private directory")
    return path


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _lock(path: Path, mode: int = fcntl.LOCK_EX) -> int | None:
    """An open descriptor of ``path`` holding a ``flock`` in ``mode``, or None when someone
    else holds a conflicting one."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


class LocalBackend:
    """A group's leases and members as file locks in ``directory`` (one host)."""

    where = "the group's lock directory"

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._member: int | None = None
        self._leases: dict[str, int] = {}
        self._started = datetime.now(UTC)

    async def open(self, group: Membership) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = _lock(self.directory / f"member-{_hash(group.worker)}.lock")
        if fd is None:
            raise ConfigError(f"another process is worker {group.worker!r} of this group")
        self._member = fd

    async def round(self, group: Membership, rounds: int) -> list[Member]:
        table = group.leases
        for key in sorted(table.to_unlock):
            held = self._leases.pop(key, None)
            if held is not None:
                os.close(held)
            table.unlocked(key)
            log.info("group %s: released %s", group.name, key)
        for key in table.wanted():
            fd = _lock(self.directory / f"lease-{_hash(key)}.lock")
            if fd is not None:
                self._leases[key] = fd
                table.took(key)
                log.info("group %s: this worker (%s) now runs %s", group.name, group.worker,
                         key)
        self._write(group, sorted(table.held))
        return read_members(self.directory)

    def _write(self, group: Membership, holds: list[str]) -> None:
        record = {"worker": group.worker, "host": socket.gethostname(), "pid": os.getpid(),
                  "address": group.address, "started": self._started.isoformat(),
                  "seen": datetime.now(UTC).isoformat(), "messages": group.messages,
                  "holds": holds, "revision": group.revision,
                  "deploy_error": group.deploy_error}
        path = self.directory / f"member-{_hash(group.worker)}.json"
        part = path.with_suffix(f".{os.getpid()}.part")
        part.write_text(json.dumps(record))
        os.replace(part, path)

    async def leave(self, group: Membership) -> None:
        self._write(group, [])

    async def close(self) -> None:
        for fd in self._leases.values():
            os.close(fd)
        self._leases.clear()
        if self._member is not None:
            os.close(self._member)
            self._member = None


def read_members(directory: Path) -> list[Member]:
    """The members recorded in a local group's ``directory``, alive while their lock is held."""
    from flowrt.group.member import Member

    members = []
    for path in sorted(directory.glob("member-*.json")):
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # removed or replaced under us: next round
        probe = _lock(path.with_suffix(".lock"), fcntl.LOCK_SH)
        if probe is not None:
            os.close(probe)
        members.append(Member(
            worker=record["worker"], host=record["host"], pid=record["pid"],
            address=record["address"], started=datetime.fromisoformat(record["started"]),
            seen=datetime.fromisoformat(record["seen"]), messages=record["messages"],
            holds=tuple(record["holds"]), alive=probe is None,
            revision=record.get("revision", ""), deploy_error=record.get("deploy_error", "")))
    return sorted(members, key=lambda m: m.worker)


_parent_locks: list[int] = []


def hold_parent_lock(directory: Path, name: str) -> None:
    """Hold, for this process's life, the lock saying it supervises the local group ``name``;
    ConfigError when another process does."""
    fd = _lock(directory / "parent.lock")
    if fd is None:
        raise ConfigError(
            f"another `flowrt run --workers` runs group {name!r} on this host: stop it first, "
            "or give this one another --group")
    _parent_locks.append(fd)
    forget_gone_members(directory)


def forget_gone_members(directory: Path) -> None:
    """Remove the records of members whose process is gone (an earlier run's): a supervisor
    starting the group holds its parent lock, so no live worker of it can be left out, and
    `flowrt group status` then lists this run's workers only."""
    for path in directory.glob("member-*.json"):
        probe = _lock(path.with_suffix(".lock"), fcntl.LOCK_SH)
        if probe is None:
            continue  # a live member (of a worker run without a supervisor)
        os.close(probe)
        path.unlink(missing_ok=True)
